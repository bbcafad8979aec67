import Foundation

/// What /proc says about processes and mounts: daemons are stopped by pid and only when
/// their command line proves they are ours, and their mounts are undone before a folder goes.
public enum ProcessTable {
    /// Running, not a zombie waiting for a parent that may never reap it.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z" && state != "X"
    }

    public static func commandLine(_ pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Every live process whose command line mentions `marker` (a lab's private path).
    public static func processes(mentioning marker: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { $0 != getpid() && commandLine($0).contains(marker) }
    }

    /// Waits until `pid` is gone; true when it went within `timeout`.
    @discardableResult
    public static func waitGone(_ pid: pid_t, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isAlive(pid) {
            if Date() >= deadline { return false }
            usleep(50_000)
        }
        return true
    }

    /// TERM, then KILL when it does not go within `grace`.
    public static func stop(_ pid: pid_t, grace: TimeInterval) {
        guard isAlive(pid) else { return }
        kill(pid, SIGTERM)
        if !waitGone(pid, timeout: grace) {
            kill(pid, SIGKILL)
            waitGone(pid, timeout: 10)
        }
    }

    /// Mount points at or below `path`, deepest first.
    public static func mounts(under path: String) -> [String] {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        let points = table.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            // mountinfo escapes spaces and the like as octal; our paths have none.
            let point = String(fields[4])
            return point == path || point.hasPrefix(path + "/") ? point : nil
        }
        return points.sorted { $0.count > $1.count }
    }

    /// What a daemon leaves mounted (its data root bind, network namespaces) is unmounted,
    /// lazily when busy, so the folder can be removed.
    public static func unmountAll(under path: String) {
        for point in mounts(under: path) {
            if (try? BoundedCommand.run("umount", [point], timeout: 20))?.succeeded != true {
                _ = try? BoundedCommand.run("umount", ["-l", point], timeout: 20)
            }
        }
    }
}
