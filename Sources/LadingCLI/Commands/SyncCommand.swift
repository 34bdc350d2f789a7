import ArgumentParser
import Foundation
import ImageLayout
import Lading

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Copy every source of a list into the store, an oci: layout or an archive.",
        discussion: """
        LIST has one entry a line: SOURCE [NAME]. SOURCE is any address copy takes \
        (docker-archive:PATH, oci:DIR[:REF], oci-archive:PATH, a path, store:NAME); NAME \
        names its image at the destination. Blank lines and # comments are skipped.
        DEST: store (the store), oci:DIR, docker-archive:PATH or oci-archive:PATH.
        Every source is checked readable before anything is copied; each is then copied \
        whole or not at all, blobs shared between sources written once. A rerun skips the \
        entries already complete (the journal .lading-sync in the destination directory).
        --shard I/N takes the entries whose position in LIST (from 0, comments not \
        counted) is I modulo N; --shard N takes I from JOB_COMPLETION_INDEX (a Kubernetes \
        Indexed Job). Merge shard layouts with a second sync whose LIST names them \
        (oci:DIR lines). See docs/transfer.md.
        """)
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "I/N: take shard I of N (N alone: I from JOB_COMPLETION_INDEX).") var shard: String?
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
    @Argument(help: "The list file ('-' for standard input).") var list: String
    @Argument(help: "The destination: store, oci:DIR, docker-archive:PATH or oci-archive:PATH.") var destination: String

    func validate() throws {
        if let shard {
            do { _ = try Syncer.parseShard(shard) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        guarded {
            let dest: TransportAddress = ["store", "store:"].contains(destination) ? .store(name: "") : try TransportAddress(parsingCopyAddress: destination)
            if case .store(let n) = dest, !n.isEmpty {
                throw ValidationError("sync DEST is store, oci:DIR, docker-archive:PATH or oci-archive:PATH; names go in LIST (SOURCE NAME)")
            }
            var entries = try Syncer.parseList(list)
            if let shard {
                let (i, n) = try Syncer.parseShard(shard)
                entries = Syncer.shard(entries, index: i, count: n)
            }
            var copied = 0, skipped = 0, images = 0
            try withProgress("Syncing", total: nil, quiet: quiet) {
                try Syncer(storePath: StoreLocation.resolve(explicit: storeOptions.store)).sync(entries, list: list, to: dest) { e, outcome in
                    switch outcome {
                    case .copied(let items):
                        copied += 1
                        images += items.count
                        if !quiet { print("Copied \(e.source) (\(items.count) image\(items.count == 1 ? "" : "s"))") }
                    case .skipped:
                        skipped += 1
                        if !quiet { print("Skipped \(e.source) (complete)") }
                    }
                }
            }
            if !quiet { print("Synced \(entries.count) source\(entries.count == 1 ? "" : "s") to \(destination): \(copied) copied (\(images) image\(images == 1 ? "" : "s")), \(skipped) already complete") }
        }
    }
}
