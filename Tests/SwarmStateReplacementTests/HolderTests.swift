import Foundation
import SwarmFormats
import SwarmStateReplacement
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct HolderTests {
    static let segment = "0000000000000000-0000000000000000.wal"
    static let secondSegment = "0000000000000001-0000000000000042.wal"

    /// A state-directory-like folder with two WAL segments in `walDirectory`.
    static func stateDirectory(walDirectory: String = "raft/wal-v3-encrypted") throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-holders-\(UUID().uuidString.prefix(8))").path
        let wal = root + "/" + walDirectory
        try FileManager.default.createDirectory(atPath: wal, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/raft/snap-v3-encrypted", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: root + "/state.json"))
        for name in [segment, secondSegment] {
            try Data(repeating: 0x5a, count: 4096).write(to: URL(fileURLWithPath: wal + "/" + name))
        }
        return root
    }

    /// A child process holding a flock on `path` (util-linux `flock --no-fork`, so the pid
    /// that holds it is the child's), once it says it has it.
    final class FlockHolder {
        let process = Process()

        init(_ path: String, shared: Bool = false) throws {
            try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "/usr/bin/flock missing")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            process.arguments = [shared ? "--shared" : "--exclusive", "--no-fork", path, "/bin/sh", "-c", "echo locked; exec sleep 30"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            var output = Data()
            while !String(decoding: output, as: UTF8.self).contains("locked") {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                output.append(chunk)
            }
            try #require(String(decoding: output, as: UTF8.self).contains("locked"), "flock did not take the lock")
        }

        var pid: Int32 { process.processIdentifier }

        func stop() {
            if process.isRunning {
                // SIGKILL: the spawned process may inherit SIGTERM blocked or ignored.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        deinit { stop() }
    }

    /// Holders after a lock was released. Suites run in parallel, and a child process another
    /// test spawns at that moment holds a copy of every descriptor until it execs, so the lock
    /// can outlive its release by a few milliseconds; wait that out (at most a second).
    static func holdersOnceReleased(_ root: String) throws -> [StateDirectoryHolder] {
        for _ in 0..<100 {
            let holders = try StateDirectoryHolders.find(in: root)
            if holders.isEmpty { return holders }
            usleep(10_000)
        }
        return try StateDirectoryHolders.find(in: root)
    }

    static func snapshot(_ path: String) throws -> (Data, timespec, timespec) {
        var info = stat()
        #expect(stat(path, &info) == 0)
        return (try Data(contentsOf: URL(fileURLWithPath: path)), info.st_mtim, info.st_ctim)
    }

    // MARK: nothing holds it

    @Test("an unlocked folder has no holders")
    func unlockedFolder() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try StateDirectoryHolders.find(in: root) == [])
    }

    @Test("a missing folder has no holders")
    func missingFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-holders-missing-\(UUID().uuidString)").path
        #expect(try StateDirectoryHolders.find(in: root) == [])
    }

    // MARK: a raft writer

    @Test("an OFD write lock on a segment (etcd's, through another open file description) is a raft writer; the file is not touched")
    func ofdLockedSegment() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/raft/wal-v3-encrypted/" + Self.secondSegment
        let before = try Self.snapshot(path)
        // OFD locks belong to the open file description, so one taken here conflicts with the
        // probe's own descriptor even within this process.
        let fd = open(path, O_RDWR | O_CLOEXEC)
        try #require(fd >= 0)
        try FileLock.lockExclusively(fd, path: path)

        let holders = try StateDirectoryHolders.find(in: root)
        // OFD locks carry no pid; it is found through /proc/<pid>/fdinfo.
        #expect(holders == [.raftWriter(segment: Self.secondSegment, pid: getpid())])

        let after = try Self.snapshot(path)
        #expect(after.0 == before.0)
        #expect(after.1.tv_sec == before.1.tv_sec && after.1.tv_nsec == before.1.tv_nsec)
        #expect(after.2.tv_sec == before.2.tv_sec && after.2.tv_nsec == before.2.tv_nsec)

        close(fd)
        #expect(try Self.holdersOnceReleased(root) == [])
    }

    @Test("every WAL layout is probed", arguments: ["raft/wal-v3-encrypted", "raft/wal-v3", "raft/wal"])
    func everyWALLayout(walDirectory: String) throws {
        let root = try Self.stateDirectory(walDirectory: walDirectory)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/" + walDirectory + "/" + Self.segment
        let fd = open(path, O_RDWR | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        try FileLock.lockExclusively(fd, path: path)

        #expect(try StateDirectoryHolders.find(in: root) == [.raftWriter(segment: Self.segment, pid: getpid())])
    }

    @Test("the .tmp segment etcd preallocates and locks counts; other files do not")
    func tmpSegmentCountsOtherFilesDoNot() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let wal = root + "/raft/wal-v3-encrypted/"
        try Data(count: 64).write(to: URL(fileURLWithPath: wal + "0.tmp"))
        try Data(count: 64).write(to: URL(fileURLWithPath: wal + "notes.txt"))
        let tmp = open(wal + "0.tmp", O_RDWR | O_CLOEXEC)
        let other = open(wal + "notes.txt", O_RDWR | O_CLOEXEC)
        try #require(tmp >= 0 && other >= 0)
        defer {
            close(tmp)
            close(other)
        }
        try FileLock.lockExclusively(other, path: wal + "notes.txt")
        #expect(try StateDirectoryHolders.find(in: root) == [])
        try FileLock.lockExclusively(tmp, path: wal + "0.tmp")
        #expect(try StateDirectoryHolders.find(in: root) == [.raftWriter(segment: "0.tmp", pid: getpid())])
    }

    @Test("a flock on a segment (etcd's fallback) held by another process is a raft writer with that pid")
    func flockedSegment() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let holder = try FlockHolder(root + "/raft/wal-v3-encrypted/" + Self.segment)
        defer { holder.stop() }

        #expect(try StateDirectoryHolders.find(in: root) == [.raftWriter(segment: Self.segment, pid: holder.pid)])

        holder.stop()
        #expect(try Self.holdersOnceReleased(root) == [])
    }

    static let python3: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test("a classic POSIX write lock held by another process is a raft writer with that pid")
    func posixLockedSegment() throws {
        let python3 = try #require(Self.python3, "no python3 in /usr/bin or /usr/local/bin: run scripts/install-system-packages.sh")
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/raft/wal-v3-encrypted/" + Self.segment
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python3)
        process.arguments = [
            "-c",
            "import fcntl, os, sys, time\nfd = os.open(sys.argv[1], os.O_RDWR)\nfcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nprint('locked', flush=True)\ntime.sleep(30)",
            path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        try #require(line.contains("locked"))

        #expect(try StateDirectoryHolders.find(in: root) == [.raftWriter(segment: Self.segment, pid: process.processIdentifier)])
    }

    // MARK: swarmsafe

    @Test("a flock on the directory held by another process is swarmsafe, with that pid")
    func flockedDirectory() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let holder = try FlockHolder(root)
        defer { holder.stop() }

        #expect(try StateDirectoryHolders.find(in: root) == [.swarmsafe(pid: holder.pid)])
        #expect {
            _ = try StateDirectoryLock.acquire(root, exclusive: true, for: .restore)
        } throws: { error in
            guard case .held(let path, let holders, let use) = error as? ReplacementError else { return false }
            return path == root && holders == [.swarmsafe(pid: holder.pid)] && use == .restore
        }
        #expect(throws: ReplacementError.self) { _ = try StateDirectoryLock.acquire(root, exclusive: false, for: .restore) }

        holder.stop()
        #expect(try Self.holdersOnceReleased(root) == [])
        let lock = try StateDirectoryLock.acquire(root, exclusive: true, for: .restore)
        #expect(lock.isHeld)
    }

    @Test("a shared holder (another swarmsafe reading the folder) blocks an exclusive lock but not another shared one")
    func sharedHolder() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let holder = try FlockHolder(root, shared: true)
        defer { holder.stop() }

        #expect(try StateDirectoryHolders.find(in: root) == [.swarmsafe(pid: holder.pid)])
        #expect(throws: ReplacementError.self) { _ = try StateDirectoryLock.acquire(root, exclusive: true, for: .restore) }
        let shared = try StateDirectoryLock.acquire(root, exclusive: false, for: .restore)
        #expect(shared.isHeld)
    }

    @Test("StateDirectoryLock: held until released, seen by the probe, conflicting within this process too")
    func lockLifecycle() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }

        let lock = try StateDirectoryLock.acquire(root, exclusive: true, for: .restore)
        #expect(lock.isHeld)
        #expect(lock.exclusive)
        #expect(try StateDirectoryHolders.find(in: root) == [.swarmsafe(pid: getpid())])
        #expect {
            _ = try StateDirectoryLock.acquire(root, exclusive: true, for: .restore)
        } throws: { error in
            guard case .held(let path, let holders, let use) = error as? ReplacementError else { return false }
            return path == root && holders == [.swarmsafe(pid: getpid())] && use == .restore
        }
        #expect(throws: ReplacementError.self) { _ = try StateDirectoryLock.acquire(root, exclusive: false, for: .restore) }

        lock.release()
        lock.release()  // idempotent
        #expect(!lock.isHeld)
        #expect(try Self.holdersOnceReleased(root) == [])

        // Two shared locks coexist; an exclusive one waits for both to go.
        var first: StateDirectoryLock? = try StateDirectoryLock.acquire(root, exclusive: false, for: .restore)
        let second = try StateDirectoryLock.acquire(root, exclusive: false, for: .restore)
        #expect(first?.isHeld == true && second.isHeld)
        second.release()
        #expect(throws: ReplacementError.self) { _ = try StateDirectoryLock.acquire(root, exclusive: true, for: .restore) }
        first = nil  // deinit releases
        #expect(first == nil)
        let exclusive = try StateDirectoryLock.acquire(root, exclusive: true, for: .restore)
        #expect(exclusive.isHeld)
    }

    @Test("a missing directory cannot be locked")
    func lockMissingDirectory() {
        #expect(throws: FileAccessError.self) {
            _ = try StateDirectoryLock.acquire("/nonexistent-\(UUID().uuidString)", exclusive: true, for: .restore)
        }
    }

    @Test("a manager's WAL lock and a swarmsafe lock are both reported, raft writer first")
    func bothHolders() throws {
        let root = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/raft/wal-v3-encrypted/" + Self.segment
        let fd = open(path, O_RDWR | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        try FileLock.lockExclusively(fd, path: path)
        let holder = try FlockHolder(root)
        defer { holder.stop() }

        let holders = try StateDirectoryHolders.find(in: root)
        #expect(holders == [.raftWriter(segment: Self.segment, pid: getpid()), .swarmsafe(pid: holder.pid)])
        let message = ReplacementError.held(path: root, holders: holders, use: .restore).description
        #expect(message.contains("systemctl stop docker"))
        #expect(message.contains(Self.segment))
        #expect(message.contains("pid \(holder.pid)"))
    }
}
