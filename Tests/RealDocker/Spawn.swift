import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child started with posix_spawn and reaped with waitpid by whoever owns it. Foundation's
/// `Process` was not used: with daemons that fork away (`setsid -f`) its monitor left the
/// shell a zombie and `isRunning` true forever, so a bounded wait could not be bounded.
struct Spawned {
    let pid: pid_t

    /// Starts `path` with `arguments`; the child's stdin, stdout and stderr are the given
    /// descriptors, every other descriptor of ours is closed in it (they are close-on-exec
    /// or closed by the file actions).
    static func start(
        _ path: String, _ arguments: [String], environment: [String: String], stdin: Int32, stdout: Int32, stderr: Int32
    ) throws -> Spawned {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals the test process blocks or ignores must not stay that way in a daemon.
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw HarnessError.cannotStart(command: ([path] + arguments).joined(separator: " "), reason: String(cString: strerror(status)))
        }
        return Spawned(pid: pid)
    }

    /// The exit status once the child has ended (reaping it), nil while it runs.
    func poll() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return result < 0 ? -1 : nil }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Waits up to `timeout` for the child to end; nil when it is still running.
    func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = poll() { return status }
            if Date() >= deadline { return nil }
            usleep(10_000)
        }
    }
}

/// A pipe whose read end is drained on a thread of its own until EOF.
final class DrainedPipe: @unchecked Sendable {
    let readEnd: Int32
    let writeEnd: Int32
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let fds = try makePipe()
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    /// Call once the child has the write end: our copy is closed so EOF can come.
    func startDraining() {
        close(writeEnd)
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(readEnd, &buffer, buffer.count)
                if n > 0 {
                    lock.withLock { data.append(contentsOf: buffer[0..<n]) }
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(readEnd)
            done.signal()
        }
        thread.start()
    }

    /// What was read; waits up to `timeout` for EOF (a grandchild may hold the pipe open).
    func collected(timeout: TimeInterval) -> Data {
        _ = done.wait(timeout: .now() + timeout)
        return lock.withLock { data }
    }
}

/// A pipe whose both ends are close-on-exec (Glibc's module does not export pipe2): a child
/// gets only the ends it is handed, by dup2.
func makePipe() throws -> [Int32] {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw HarnessError.unexpected("pipe: \(String(cString: strerror(errno)))") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return fds
}
