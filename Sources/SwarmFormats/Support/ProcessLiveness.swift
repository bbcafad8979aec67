#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the process a leftover's name carries is gone: a killed run's temporary files and
/// folders are ours to remove only once nothing can be writing them any more.
package enum ProcessLiveness {
    /// True when no process has this pid (EPERM means one exists that is not ours: alive).
    package static func isGone(_ pid: Int32) -> Bool {
        pid > 0 && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// The entries of `parent` named `<prefix><pid>` or `<prefix><pid>-<more>` whose process
    /// is gone, as full paths: what killed runs left under a name of that kind. A parent that
    /// cannot be listed has none (the caller's own write there then fails, naming it).
    package static func abandoned(in parent: String, prefix: String) -> [String] {
        let folder = parent.isEmpty ? "." : parent
        return ((try? FileSync.listDirectory(folder)) ?? []).filter { name in
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) else { return false }
            return isGone(pid)
        }.sorted().map { folder + "/" + $0 }
    }
}
