import Foundation
import Testing
import LayerChangeset
import TarArchive
import TestSupport

@Suite struct ApplyTests {
    @Test func appliesEveryKindWithOwnersModesAndTimes() throws {
        let s = try Sandbox()
        try s.apply([{ b in
            try b.directory("etc", mode: 0o750, mtime: 1_600_000_000)
            try b.file("etc/motd", "hi\n", mode: 0o4755, uid: 1000, gid: 100, mtime: 1_700_000_000)
            try b.file("./usr/bin/tool", "x", mode: 0o2711, mtime: 5)
            try b.directory("tmp", mode: 0o1777, mtime: 7)
            try b.symlink("etc/link", to: "motd")
            try b.hardlink("etc/hard", to: "etc/motd")
            var fifo = TarEntry(path: "run/fifo", kind: .fifo, permissions: 0o640, mtime: 9)
            fifo.uid = 5
            try b.entry(fifo)
            var dev = TarEntry(path: "dev/null", kind: .characterDevice, permissions: 0o666, mtime: 9)
            dev.deviceMajor = 1
            dev.deviceMinor = 3
            try b.entry(dev)
            var cap = TarEntry(path: "bin/ping", kind: .regular, size: 1, permissions: 0o755, mtime: 9)
            cap.xattrs = [("security.capability", [1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                          ("user.note", Array("v".utf8))]
            try b.entry(cap, content: [0x41])
        }])
        let t = try s.tree()
        let got = render(t, mtime: true)
        #expect(got == [
            "/bin directory 755 0:0 @\(t["bin"]!.mtime)",
            "/bin/ping regular 755 0:0 1 559aead0 @9",
            "/dev directory 755 0:0 @\(t["dev"]!.mtime)",
            "/dev/null characterDevice 666 0:0 1,3 @9",
            "/etc directory 750 0:0 @1600000000",
            "/etc/hard regular 4755 1000:100 3 98ea6e4f @1700000000",
            "/etc/link symlink 777 0:0 -> motd @0",
            "/etc/motd regular 4755 1000:100 3 98ea6e4f @1700000000",
            "/run directory 755 0:0 @\(t["run"]!.mtime)",
            "/run/fifo fifo 640 5:0 @9",
            "/tmp directory 1777 0:0 @7",
            "/usr directory 755 0:0 @\(t["usr"]!.mtime)",
            "/usr/bin directory 755 0:0 @\(t["usr/bin"]!.mtime)",
            "/usr/bin/tool regular 2711 0:0 1 2d711642 @5",
        ])
        #expect(t["etc/hard"]!.hardlinkGroup != nil && t["etc/hard"]!.hardlinkGroup == t["etc/motd"]!.hardlinkGroup)
        #expect(t["bin/ping"]!.xattrs["security.capability"]?.count == 20)
        #expect(t["bin/ping"]!.xattrs["user.note"] == Array("v".utf8))
        try s.expectContained()
    }

    @Test func rootlessSkipsDevicesAndOwnersWithWarnings() throws {
        let s = try Sandbox()
        final class Box: @unchecked Sendable { var lines: [String] = [] }
        let box = Box()
        try s.apply([{ b in
            try b.file("f", "1", uid: 1000, gid: 1000)
            var dev = TarEntry(path: "dev/sda", kind: .blockDevice, permissions: 0o660)
            dev.deviceMajor = 8
            try b.entry(dev)
        }], options: ApplyOptions(rootless: true, warning: { box.lines.append($0) }))
        #expect(try s.lines() == ["/dev directory 755 0:0", "/f regular 644 0:0 1 6b86b273"])
        #expect(box.lines == ["layer 1: entry dev/sda: device node skipped (rootless)"])
    }

    @Test func nonDirectoryReplacesTreeAndDirectoryOverDirectoryKeepsChildren() throws {
        let s = try Sandbox()
        try s.apply([
            { b in
                try b.file("a/x/1", "1"); try b.file("a/y", "y")
                try b.directory("d", mode: 0o700); try b.file("d/keep", "k")
                try b.symlink("s", to: "d")
                try b.file("f", "f")
            },
            { b in
                try b.file("a", "now a file")
                try b.directory("d", mode: 0o755)
                try b.directory("s", mode: 0o711)
                try b.symlink("f", to: "/etc/passwd")
            },
        ])
        #expect(try s.lines() == [
            "/a regular 644 0:0 10 \(sha8("now a file"))",
            "/d directory 755 0:0",
            "/d/keep regular 644 0:0 1 \(sha8("k"))",
            "/f symlink 777 0:0 -> /etc/passwd",
            "/s directory 711 0:0",
        ])
        try s.expectContained()
    }

    @Test func directoryTimesAreSetAfterAllLayers() throws {
        let s = try Sandbox()
        try s.apply([
            { b in try b.directory("d", mode: 0o755, mtime: 100) },
            { b in try b.file("d/new", "n", mtime: 200) },
        ])
        #expect(try s.tree()["d"]!.mtime == 100)
    }
}
