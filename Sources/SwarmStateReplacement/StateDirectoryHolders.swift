#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// Something that holds a state directory, so that replacing it now would pull the folder
/// from under a live writer.
public enum StateDirectoryHolder: Equatable, Sendable, CustomStringConvertible {
    /// A swarm manager (Docker's swarmkit, or swarmsafe's embedded manager) has the WAL open
    /// for writing: it holds the exclusive lock etcd takes on every segment. `segment` is the
    /// file name of a locked segment; `pid` the holding process when it could be found.
    case raftWriter(segment: String, pid: Int32?)
    /// Another swarmsafe process holds the directory lock (`StateDirectoryLock`).
    case swarmsafe(pid: Int32?)

    public var description: String {
        switch self {
        case .raftWriter(let segment, let pid):
            "swarm manager writing WAL segment \(segment)" + (pid.map { " (pid \($0))" } ?? "")
        case .swarmsafe(let pid):
            "swarmsafe process" + (pid.map { " (pid \($0))" } ?? "")
        }
    }
}

/// Finds who holds a state directory, without taking anything from them.
///
/// - A manager's raft log: etcd (and so swarmkit, and swarmsafe's own `FileLock`) locks every
///   WAL segment it has open, and the `.tmp` segment it preallocates next, with an exclusive
///   open-file-description lock (`F_OFD_SETLK`), or `flock` where the kernel has no OFD locks.
///   Each such file is opened read-only and asked, never locked: `F_OFD_GETLK` (and classic
///   `F_GETLK`) for a conflicting write lock over the whole file, then `flock(LOCK_SH|LOCK_NB)`,
///   released at once, for a flock holder. Nothing is written and no byte-range lock is ever
///   set, so closing the probe descriptor cannot drop a POSIX lock of this process either.
/// - swarmsafe itself: `StateDirectoryLock` is a `flock` on the directory; it is probed with
///   `flock(LOCK_EX|LOCK_NB)` on a fresh descriptor, released at once. For that instant a
///   swarmsafe process starting on the same folder would find it held.
///
/// The probes see locks held by this process too (through another descriptor). Holder pids
/// are looked up, best effort, in `/proc/locks` and `/proc/<pid>/fdinfo`.
public enum StateDirectoryHolders {
    /// The WAL folders of every layout swarmkit has used, newest first.
    static let walDirectories = ["raft/wal-v3-encrypted", "raft/wal-v3", "raft/wal"]

    #if os(Linux)
    /// `F_OFD_GETLK` (linux/fcntl.h); the libc module map does not export it.
    static let ofdGetLock: Int32 = 36
    #endif

    /// Everyone holding `directory` or its WAL, raft writers first; empty when the directory
    /// does not exist (or is not a directory).
    public static func find(in directory: String) throws -> [StateDirectoryHolder] {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw FileAccessError(path: directory, operation: "examine", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { return [] }

        var holders: [StateDirectoryHolder] = []
        for relative in walDirectories {
            let folder = directory + "/" + relative
            guard let names = try FileSync.listDirectory(folder) else { continue }
            for name in names.sorted() where name.hasSuffix(".wal") || name.hasSuffix(".tmp") {
                if let pid = try probeSegment(folder + "/" + name) {
                    holders.append(.raftWriter(segment: name, pid: pid.value))
                }
            }
        }
        if let pid = try probeDirectory(directory) {
            holders.append(.swarmsafe(pid: pid.value))
        }
        return holders
    }

    /// A lock holder, with its pid when known.
    struct Held {
        var value: Int32?
    }

    /// Whether a WAL segment is locked, and by whom; nil when free (or gone).
    static func probeSegment(_ path: String) throws -> Held? {
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            // Removed since the listing (etcd renames .tmp into place), or a symlink: not a
            // segment anyone locks.
            if errno == ENOENT || errno == ELOOP { return nil }
            throw FileAccessError(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileAccessError(path: path, operation: "examine", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { return nil }

        var held: Held?
        #if os(Linux)
        switch testLock(fd, command: ofdGetLock) {
        case .free, .unsupported: break
        case .held(let pid): held = Held(value: pid)
        case .failed(let code): throw FileAccessError(path: path, operation: "test the lock of", errno: code)
        }
        #endif
        // A classic POSIX lock reports its owner's pid; it also catches OFD locks where the
        // kernel lacks F_OFD_GETLK.
        if held == nil || held?.value == nil {
            switch testLock(fd, command: F_GETLK) {
            case .free, .unsupported: break
            case .held(let pid): if held == nil || pid != nil { held = Held(value: pid) }
            case .failed(let code): throw FileAccessError(path: path, operation: "test the lock of", errno: code)
            }
        }
        if held == nil {
            if try flockIsHeld(fd, operation: LOCK_SH, path: path) { held = Held(value: nil) }
        }
        guard var found = held else { return nil }
        if found.value == nil { found.value = LockOwner.pid(device: info.st_dev, inode: info.st_ino) }
        return found
    }

    /// Whether a swarmsafe process holds the directory lock; nil when free.
    static func probeDirectory(_ path: String) throws -> Held? {
        var fd: Int32
        repeat {
            fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw FileAccessError(path: path, operation: "open directory", errno: errno)
        }
        defer { close(fd) }
        guard try flockIsHeld(fd, operation: LOCK_EX, path: path) else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return Held(value: nil) }
        return Held(value: LockOwner.pid(device: info.st_dev, inode: info.st_ino))
    }

    /// Tries a non-blocking flock and, when it is granted, gives it back at once.
    static func flockIsHeld(_ fd: Int32, operation: Int32, path: String) throws -> Bool {
        let code = Flock.tryLock(fd, exclusive: operation == LOCK_EX)
        if code == 0 {
            _ = flock(fd, LOCK_UN)
            return false
        }
        if code == EWOULDBLOCK { return true }
        // File systems without flock cannot be holding one.
        if code == ENOLCK || code == EOPNOTSUPP || code == EINVAL { return false }
        throw FileAccessError(path: path, operation: "test the lock of", errno: code)
    }

    enum LockTest {
        case free
        case held(pid: Int32?)
        case unsupported
        case failed(Int32)
    }

    /// Asks whether a whole-file write lock could be set (`F_GETLK` or `F_OFD_GETLK`).
    static func testLock(_ fd: Int32, command: Int32) -> LockTest {
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        request.l_pid = 0  // must be 0 for the OFD commands
        var result: Int32
        repeat {
            result = fcntl(fd, command, &request)
        } while result != 0 && errno == EINTR
        guard result == 0 else {
            let code = errno
            if code == EINVAL || code == ENOLCK || code == EOPNOTSUPP { return .unsupported }
            return .failed(code)
        }
        if request.l_type == Int16(F_UNLCK) { return .free }
        // OFD locks have no owning process: l_pid is -1.
        return .held(pid: request.l_pid > 0 ? request.l_pid : nil)
    }
}

/// Who holds a lock on a file, read from `/proc` (Linux; elsewhere always unknown).
enum LockOwner {
    /// The pid of a live process holding a lock on the file `device`/`inode`: first the pid
    /// `/proc/locks` records for a flock or POSIX lock (confirmed in that process's fdinfo),
    /// else the lowest pid whose open files list a lock on it (OFD locks record no pid).
    static func pid(device: dev_t, inode: ino_t) -> Int32? {
        #if os(Linux)
        let key = lockKey(device: device, inode: inode)
        if let locks = readProcFile("/proc/locks") {
            for line in locks.split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // "1: FLOCK  ADVISORY  WRITE 4242 fe:00:1466606 0 EOF"; waiters have "->".
                guard fields.count >= 6, fields[1] != "->", fields[5] == key,
                    let pid = Int32(fields[4]), pid > 0
                else { continue }
                if holds(pid: pid, device: device, inode: inode, key: key) { return pid }
            }
        }
        guard let entries = try? FileSync.listDirectory("/proc") else { return nil }
        let pids = entries.compactMap { Int32($0) }.sorted()
        for pid in pids where holds(pid: pid, device: device, inode: inode, key: key) {
            return pid
        }
        #endif
        return nil
    }

    #if os(Linux)
    /// `maj:min:inode` as `/proc/locks` prints it (`%02x:%02x:%lu`).
    static func lockKey(device: dev_t, inode: ino_t) -> String {
        let dev = UInt64(device)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return text.count < 2 ? "0" + text : text
        }
        return hex(major) + ":" + hex(minor) + ":" + String(UInt64(inode))
    }

    /// Whether one of `pid`'s open files is the file and has a lock on it.
    static func holds(pid: Int32, device: dev_t, inode: ino_t, key: String) -> Bool {
        let base = "/proc/\(pid)"
        guard let descriptors = try? FileSync.listDirectory(base + "/fdinfo") else { return false }
        let suffix = ":" + String(UInt64(inode))
        for descriptor in descriptors {
            guard let text = readProcFile(base + "/fdinfo/" + descriptor) else { continue }
            let locked = text.split(separator: "\n").contains { line in
                guard line.hasPrefix("lock:") else { return false }
                return line.split(separator: " ").contains { $0 == key || $0.hasSuffix(suffix) }
            }
            guard locked else { continue }
            // The device printed for locks is the superblock's, which differs from st_dev on
            // some file systems (btrfs subvolumes, overlay); confirm on the file itself.
            var info = stat()
            if stat(base + "/fd/" + descriptor, &info) == 0, info.st_dev == device, info.st_ino == inode {
                return true
            }
        }
        return false
    }

    /// All of a small /proc file (whose size reads as 0); nil when unreadable.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > 1 << 24 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    #endif
}
