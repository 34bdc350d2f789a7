import Foundation
import Testing
import TestSupport

/// `prune` without `-f` asks as docker does (README, "Management"): the question on
/// standard output, the answer one line of standard input, terminal or not; only
/// y (or Y) goes ahead, and no answer (end of input) removes nothing and exits 0.
@Suite struct PruneConfirmationTests {
    static let danglingPrompt = "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "
    static let pruned = """
        Deleted Images:
        deleted: sha256:8a38695edb836f0dcaed26308119eef4999dcda95cc78c98ddb05bf04682d706

        deleted blob: sha256:8a38695edb836f0dcaed26308119eef4999dcda95cc78c98ddb05bf04682d706
        deleted blob: sha256:f43fd8db70d63ccdb5cfda1e0491dc1c27f50a279e78f737a2605b6e39df49f1
        Total reclaimed space: 928B

        """

    /// A store holding one dangling image (the one `app:base` named).
    func storeWithADanglingImage(_ dir: TemporaryDirectory) throws -> String {
        let store = dir.path + "/store"
        let load = try run([ladingBinary, "load", "-q", "--store", store, "-i", "\(corpus)/multi.containerd.docker.tar"])
        #expect(load.status == 0, "\(load.err)")
        #expect(try run([ladingBinary, "rmi", "--store", store, "example.com/team/app:base"]).status == 0)
        return store
    }

    /// As docker: the prompt on standard output, the answer from standard input whether
    /// or not it is a terminal; no answer (end of input) or any but y removes nothing, exit 0.
    @Test(arguments: [nil, "", "\n", "n\n", "no\n", "N", "yy\n", "yes please\n", "\ny\n", "yes\n"] as [String?])
    func pruneWithoutYesRemovesNothing(_ answer: String?) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try storeWithADanglingImage(dir)
        let before = snapshot(store)
        let r = try run([ladingBinary, "prune", "--store", store], stdin: answer)
        #expect(r.status == 0)
        #expect(r.out == Self.danglingPrompt)
        #expect(r.err == "")
        #expect(snapshot(store) == before)
    }

    @Test(arguments: ["y\n", "Y\n", " y \n", "y"])
    func pruneWithYesRemoves(_ answer: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try storeWithADanglingImage(dir)
        let r = try run([ladingBinary, "prune", "--store", store], stdin: answer)
        #expect(r.status == 0)
        #expect(r.err == "")
        #expect(r.out == Self.danglingPrompt + Self.pruned)
        let images = try run([ladingBinary, "images", "-q", "--store", store])
        #expect(images.out == "291324df1c87\n")
    }

    @Test func pruneAllAsksDockersQuestionAndForceOrDryRunAsksNone() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try storeWithADanglingImage(dir)
        let before = snapshot(store)
        let all = try run([ladingBinary, "prune", "-a", "--store", store])
        #expect(all.status == 0)
        #expect(all.out == "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ")
        #expect(snapshot(store) == before)
        let dry = try run([ladingBinary, "prune", "--dry-run", "--store", store])
        #expect(dry.status == 0)
        #expect(dry.out.hasPrefix("Would delete images:\nwould delete: sha256:8a38695edb836f0dcaed26308119eef4999dcda95cc78c98ddb05bf04682d706\n"))
        #expect(snapshot(store) == before)
        let forced = try run([ladingBinary, "prune", "-f", "--store", store])
        #expect(forced.status == 0)
        #expect(forced.out == Self.pruned)
    }
}
