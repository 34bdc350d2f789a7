import Foundation
import Lading
import Testing
import TestSupport

/// `copy` refuses a bare address that is not a store name: a misspelled transport, an
/// existing file or directory, a tarball name. Store names with a registry host and
/// port, and `store:NAME`, still work.
@Suite struct CopyAddressTests {
    static let use = "use docker-archive:PATH[:REF], oci:DIR[:REF] or oci-archive:PATH[:REF] (or store:NAME for a store name)"

    @Test func bareAddressesThatLookLikePathsAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "import", "--store", store, "\(corpus)/rootfs.tar", "img:1"]).status == 0)
        let file = dir.path + "/foo.tar"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let before = snapshot(store)
        let cases: [(String, String)] = [
            ("docker-archve:out.tar", "Error: invalid transport \"docker-archve\" in docker-archve:out.tar: the transports are docker-archive:, oci:, oci-archive: and store:\n"),
            ("oci-archve:/tmp/x", "Error: invalid transport \"oci-archve\" in oci-archve:/tmp/x: the transports are docker-archive:, oci:, oci-archive: and store:\n"),
            ("foo.tar", "Error: foo.tar looks like a file name, not a store name: \(Self.use)\n"),
            ("out.tar.gz", "Error: out.tar.gz looks like a file name, not a store name: \(Self.use)\n"),
            (file, "Error: \(file) is an existing file or directory, not a store name: \(Self.use)\n"),
            (dir.path, "Error: \(dir.path) is an existing file or directory, not a store name: \(Self.use)\n"),
        ]
        for (dst, message) in cases {
            let r = try run([ladingBinary, "copy", "--store", store, "img:1", dst])
            #expect(r.status == 1, "\(dst)")
            #expect(r.err == message)
            // The same rule for the source.
            let s = try run([ladingBinary, "copy", "--store", store, dst, "oci:\(dir.path)/out"])
            #expect(s.status == 1, "\(dst)")
            #expect(s.err == message)
        }
        #expect(snapshot(store) == before)
        #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/out"))
        #expect(!FileManager.default.fileExists(atPath: "out.tar"))
    }

    @Test func storeNamesStillWork() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = dir.path + "/store"
        #expect(try run([ladingBinary, "import", "--store", store, "\(corpus)/rootfs.tar", "img:1"]).status == 0)
        for dst in ["localhost:5000/app:v2", "example.com/app:v2", "store:foo.tar", "app:v9", "img:2"] {
            let r = try run([ladingBinary, "copy", "--store", store, "img:1", dst])
            #expect(r.status == 0, "\(dst): \(r.err)")
        }
        #expect(try run([ladingBinary, "copy", "--store", store, "oci:\(corpus)/layout:v2", "example.com/team/app:copied"]).status == 0)
        let names = try run([ladingBinary, "images", "--store", store, "--format", "json"]).out
        for n in ["\"localhost:5000/app\"", "\"example.com/app\"", "\"foo.tar\"", "\"app\"", "\"example.com/team/app\""] {
            #expect(names.contains(n), "\(n)")
        }
    }

    @Test func parsingRules() throws {
        #expect(try TransportAddress(parsingCopyAddress: "localhost:5000/app") == .store(name: "localhost:5000/app"))
        #expect(try TransportAddress(parsingCopyAddress: "store:x.tar") == .store(name: "x.tar"))
        #expect(try TransportAddress(parsingCopyAddress: "busybox:1.36") == .store(name: "busybox:1.36"))
        #expect(throws: LadingError.self) { try TransportAddress(parsingCopyAddress: "ociarchive:a/b") }
        // The lenient parser, used by verify, still takes paths as bare names.
        #expect(try TransportAddress(parsing: "foo.tar") == .store(name: "foo.tar"))
    }
}
