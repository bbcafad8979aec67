#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FaultInjection
import Foundation
import SwarmFormats

/// Puts a complete new folder where an old one is, so that a crash at any instant leaves the
/// target path holding either the whole old folder or the whole new one, and the old folder is
/// never deleted: it ends up renamed beside the target.
///
/// The new folder is staged as a hidden sibling of the target (same file system, same parent),
/// fully written and synced by the caller. Then:
///
/// 1. `rename(staged, target)`: succeeds when the target is missing or an empty directory
///    (which holds no state and is replaced atomically); fails, changing nothing, when the
///    target holds anything.
/// 2. Otherwise `renameat2(staged, target, RENAME_EXCHANGE)` swaps the two names atomically:
///    the target is the new folder, the staged path the old one.
/// 3. The staged path, now the old folder, is renamed to `asideName(target)` (with `-1`,
///    `-2`, … when that exists); never over anything.
/// 4. The parent directory is fsynced, making the renames durable.
///
/// A crash between 2 and 3 leaves the old folder under the hidden staging name, which
/// `leftovers(for:)` lists. Where the file system has no `RENAME_EXCHANGE` (EINVAL, or ENOSYS
/// on old kernels), the old folder is renamed aside first and the new one renamed onto the
/// free name: between those two renames the target does not exist (both folders are complete,
/// under their own names), a window of two rename calls.
public enum DirectorySwap {
    /// Installs `staged` at `target` and returns where the previous folder now is (nil when
    /// there was none, or only an empty directory).
    ///
    /// When this throws, the staged path still holds the new folder (the caller may remove
    /// it) or no longer exists; the previous folder is at the target or, as the error says,
    /// at its aside name. It is never left at the staged path by a throw.
    public static func install(staged: String, at target: String, asideName: (String) -> String) throws -> String? {
        try install(staged: staged, at: target, asideName: asideName, exchange: exchange)
    }

    /// `install` with the exchange step replaceable, to exercise the fallback. `exchange`
    /// returns 0 or an errno.
    package static func install(
        staged: String, at target: String, asideName: (String) -> String,
        exchange: (String, String) -> Int32
    ) throws -> String? {
        let parent = parentDirectory(of: target)

        // 1. Missing or empty target: a plain rename, which cannot replace anything else.
        let code = renameStatus(staged, target)
        if code == 0 {
            try syncParent(parent, target: target, detail: "the new folder is in place")
            return nil
        }
        switch code {
        case ENOTEMPTY, EEXIST: break
        case ENOTDIR: throw ReplacementError.swapFailed(path: target, reason: "it exists and is not a directory; nothing was changed")
        default: throw ReplacementError.swapFailed(path: target, reason: "rename \(staged): \(message(code)); nothing was changed")
        }

        // 2. Atomic swap.
        let swapped = exchange(staged, target)
        if swapped == EINVAL || swapped == ENOSYS || swapped == ENOTSUP || swapped == EOPNOTSUPP {
            return try installWithoutExchange(staged: staged, target: target, parent: parent, asideName: asideName)
        }
        guard swapped == 0 else {
            throw ReplacementError.swapFailed(path: target, reason: "exchange with \(staged): \(message(swapped)); nothing was changed")
        }
        FaultPoint.reached("swap-exchanged")

        // 3. The old folder, now at the staged path, goes beside the target. Should that fail,
        // it stays (complete) at the staged path, which is then where it was moved to: the
        // caller must not remove it, so nothing is thrown from here on while it is there.
        var oldAt = staged
        var asideFailure: String?
        do {
            oldAt = try moveAside(staged, to: asideName(target))
        } catch {
            asideFailure = error.description
        }

        // 4. Durable.
        do throws(FileAccessError) {
            try FileSync.syncDirectory(parent)
        } catch {
            if asideFailure == nil {
                throw ReplacementError.swapFailed(
                    path: target,
                    reason: "the new folder is in place and the previous one is at \(oldAt), but \(error.description)")
            }
        }
        return oldAt
    }

    /// Fallback for file systems without RENAME_EXCHANGE: old aside, then new in place.
    /// Between the two renames the target does not exist.
    static func installWithoutExchange(
        staged: String, target: String, parent: String, asideName: (String) -> String
    ) throws -> String {
        let aside: String
        do {
            aside = try moveAside(target, to: asideName(target))
        } catch {
            throw ReplacementError.swapFailed(path: target, reason: "\(error.description); nothing was changed")
        }
        let code = renameStatus(staged, target)
        if code != 0 {
            // Put the old folder back.
            let back = renameStatus(aside, target)
            if back == 0 {
                // Nothing changed: both renames undone; the rename's error is the one to report.
                _ = try? FileSync.syncDirectory(parent)
                throw ReplacementError.swapFailed(path: target, reason: "rename \(staged): \(message(code)); nothing was changed")
            }
            throw ReplacementError.swapFailed(
                path: target,
                reason: "rename \(staged): \(message(code)); the previous folder is at \(aside) and could not be renamed back (\(message(back)))")
        }
        try syncParent(parent, target: target, detail: "the new folder is in place and the previous one is at \(aside)")
        return aside
    }

    /// Renames `path` to `name`, or `name-1`, `name-2`, … — the first that does not exist;
    /// never over an existing entry. Returns the name used.
    static func moveAside(_ path: String, to name: String) throws(FileAccessError) -> String {
        var lastCode: Int32 = EEXIST
        for attempt in 0..<1000 {
            let candidate = attempt == 0 ? name : "\(name)-\(attempt)"
            var info = stat()
            if lstat(candidate, &info) == 0 { continue }
            guard errno == ENOENT else { throw FileAccessError(path: candidate, operation: "examine", errno: errno) }
            // No-replace where the kernel can; else a plain rename, which could only replace
            // an empty directory created in the instant since the lstat.
            var code = renameNoReplace(path, candidate)
            if code == EINVAL || code == ENOSYS || code == ENOTSUP || code == EOPNOTSUPP {
                code = renameStatus(path, candidate)
            }
            if code == 0 { return candidate }
            lastCode = code
            if code == EEXIST || code == ENOTEMPTY { continue }
            throw FileAccessError(path: candidate, operation: "rename \(path) to", errno: code)
        }
        throw FileAccessError(path: name, operation: "find a free name (tried -1 to -999) for", errno: lastCode)
    }

    // MARK: names

    /// `<target>.swarmsafe-old-<yyyyMMdd'T'HHmmss'Z'>`: where `install` moves the previous folder.
    public static func oldName(for target: String, at time: Date) -> String {
        AsideName.of(target, at: time)
    }

    /// `<parent>/.<name>.swarmsafe-restore-<yyyyMMdd'T'HHmmss'Z'>-<pid>`: a hidden sibling of
    /// the target, on its file system, where a complete new folder waits for its swap (the
    /// name predates the other commands that replace a folder, and leftovers keep it).
    public static func stagingName(for target: String, at time: Date) -> String {
        stagingPrefix(for: target) + "\(timestamp(time))-\(getpid())"
    }

    /// Complete folders of earlier replacements of `target` that were interrupted (full paths,
    /// sorted). Each holds either the new state, killed before its swap, or the previous state
    /// directory, killed just after it: they are never removed automatically.
    public static func leftovers(for target: String) -> [String] {
        let parent = parentDirectory(of: target)
        let prefix = stagingNamePrefix(for: target)
        // Only a warning depends on it; an unreadable parent fails the staging step next.
        guard let names = try? FileSync.listDirectory(parent) else { return [] }
        return names.filter { $0.hasPrefix(prefix) && $0.count > prefix.count }
            .sorted()
            .map { join(parent, $0) }
    }

    /// `.<name>.swarmsafe-restore-`
    static func stagingNamePrefix(for target: String) -> String {
        "." + (trimmed(target) as NSString).lastPathComponent + ".swarmsafe-restore-"
    }

    static func stagingPrefix(for target: String) -> String {
        join(parentDirectory(of: target), stagingNamePrefix(for: target))
    }

    static func join(_ parent: String, _ name: String) -> String {
        parent.hasSuffix("/") ? parent + name : parent + "/" + name
    }

    static func parentDirectory(of target: String) -> String {
        let parent = (trimmed(target) as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    /// Without trailing slashes (`/var/lib/docker/swarm/` names the same folder).
    static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// `20261123T154501Z`, UTC.
    static func timestamp(_ time: Date) -> String {
        AsideName.timestamp(time)
    }

    // MARK: system calls

    private static func syncParent(_ parent: String, target: String, detail: String) throws {
        do throws(FileAccessError) {
            try FileSync.syncDirectory(parent)
        } catch {
            throw ReplacementError.swapFailed(path: target, reason: "\(detail), but \(error.description)")
        }
    }

    private static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// rename(2); 0 or the errno.
    static func renameStatus(_ from: String, _ to: String) -> Int32 {
        FaultPoint.step("rename", to)
        return Foundation.rename(from, to) == 0 ? 0 : errno
    }

    /// `renameat2` flags (linux/fs.h).
    static let renameNoReplaceFlag: UInt32 = 1
    static let renameExchangeFlag: UInt32 = 2

    /// Atomically exchanges two existing paths (`renameat2` with `RENAME_EXCHANGE`); 0 or the
    /// errno (ENOSYS where there is no such call).
    package static func exchange(_ first: String, _ second: String) -> Int32 {
        renameat2(first, second, flags: renameExchangeFlag)
    }

    /// rename that fails with EEXIST instead of replacing; 0 or the errno (ENOSYS/EINVAL where
    /// unsupported).
    static func renameNoReplace(_ from: String, _ to: String) -> Int32 {
        renameat2(from, to, flags: renameNoReplaceFlag)
    }

    #if os(Linux)
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    /// `long syscall(long, ...)` called with five integer-class arguments: on the Linux ABIs
    /// below, variadic integer arguments are passed exactly as fixed ones.
    private typealias Syscall5 = @convention(c) (Int, Int, UnsafePointer<CChar>, Int, UnsafePointer<CChar>, UInt) -> Int
    #if arch(x86_64)
    private static let renameat2Number: Int? = 316
    #elseif arch(arm64)
    private static let renameat2Number: Int? = 276
    #else
    private static let renameat2Number: Int? = nil
    #endif
    #endif

    /// `renameat2(AT_FDCWD, from, AT_FDCWD, to, flags)`. The libc module map does not export
    /// it (it is behind _GNU_SOURCE), so it is looked up at run time: glibc 2.28+ and musl
    /// 1.2.4+ have the wrapper; otherwise the raw system call.
    static func renameat2(_ from: String, _ to: String, flags: UInt32) -> Int32 {
        FaultPoint.step(flags == renameExchangeFlag ? "exchange" : "rename", to)
        #if os(Linux)
        let handle = dlopen(nil, RTLD_NOW)
        defer { if let handle { dlclose(handle) } }
        if let symbol = dlsym(handle, "renameat2") {
            let function = unsafeBitCast(symbol, to: RenameAt2.self)
            return function(AT_FDCWD, from, AT_FDCWD, to, flags) == 0 ? 0 : errno
        }
        if let number = renameat2Number, let symbol = dlsym(handle, "syscall") {
            let function = unsafeBitCast(symbol, to: Syscall5.self)
            return function(number, Int(AT_FDCWD), from, Int(AT_FDCWD), to, UInt(flags)) == 0 ? 0 : errno
        }
        #endif
        return ENOSYS
    }
}
