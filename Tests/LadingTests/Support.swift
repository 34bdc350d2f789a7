import Foundation
import ImageSpec
import Lading
import TestSupport

/// A fresh store in a temporary directory.
func makeStore() throws -> (ImageService, TemporaryDirectory) {
    let dir = try TemporaryDirectory("lading-store")
    return (try ImageService(storePath: dir.path + "/store"), dir)
}

/// Every file under `root` with its size and content digest, for "unchanged" checks.
func snapshot(_ root: String) -> [String: String] {
    var out: [String: String] = [:]
    guard let e = FileManager.default.enumerator(atPath: root) else { return out }
    while let rel = e.nextObject() as? String {
        let p = "\(root)/\(rel)"
        if rel.hasPrefix(".ingest") || rel == ".lock" || rel == ".gc.lock" { continue }
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: p, isDirectory: &isDir)
        if isDir.boolValue { out[rel] = "dir"; continue }
        let data = (try? Data(contentsOf: URL(fileURLWithPath: p))) ?? Data()
        out[rel] = Digest.sha256(of: Array(data)).description
    }
    return out
}

/// Files left in the store's ingest area (must be none after any command). An empty
/// directory is not one: a command killed between creating its ingest directory and its
/// `.owner` leaves it, holding nothing, and the sweep removes it once a minute old.
func ingestLeftovers(_ service: ImageService) -> [String] {
    let root = service.layout.ingestRoot
    guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
    return e.compactMap { $0 as? String }.filter { rel in
        let p = "\(root)/\(rel)"
        if rel.hasSuffix(".owner") || FileManager.default.fileExists(atPath: "\(p)/.owner") { return false }
        return !((try? FileManager.default.contentsOfDirectory(atPath: p))?.isEmpty ?? false)
    }
}

/// Runs a program with `stdin` as its standard input (/dev/null when nil), returning
/// exit status and output. A fixture named in `argv` that is missing is a thrown error
/// naming it (`Fixtures.requireAll`), not a program failing for a reason not shown.
@discardableResult
func run(_ argv: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    for a in argv { try Fixtures.requireAll(in: a) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    if let environment { p.environment = environment }
    let o = Pipe(), e = Pipe()
    p.standardOutput = o
    p.standardError = e
    // `stdin` is written to the pipe and the pipe closed before the program starts (it
    // must fit the pipe's buffer), so the program reads it then end of input.
    if let stdin {
        let i = Pipe()
        try i.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
        try i.fileHandleForWriting.close()
        p.standardInput = i.fileHandleForReading
    } else {
        p.standardInput = FileHandle.nullDevice
    }
    try p.run()
    let od = o.fileHandleForReading.readDataToEndOfFile()
    let ed = e.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: od, as: UTF8.self), String(decoding: ed, as: UTF8.self))
}

/// The `lading` executable built beside the test bundle.
var ladingBinary: String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidates = [dir.appendingPathComponent("lading").path]
    candidates.append("\(Fixtures.packageRoot)/.build/debug/lading")
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
}

let corpus = Fixtures.corpus
let publicData = Fixtures.publicData

/// Runs `lading ARGV[0] --store STORE ARGV[1...]` and sends it SIGKILL after `micros`
/// microseconds. - Returns: whether the signal ended it (it was still running).
@discardableResult
func killLading(_ argv: [String], store: String, after micros: UInt32) throws -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ladingBinary)
    p.arguments = [argv[0], "--store", store] + argv.dropFirst()
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    usleep(micros)
    kill(p.processIdentifier, SIGKILL)
    p.waitUntilExit()
    return p.terminationReason == .uncaughtSignal
}
