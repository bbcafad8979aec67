#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FaultInjection
import Foundation
import Logging
import SwarmFormats

/// The one way swarmsafe replaces a state directory (`restore`, `recover`, `repair`, `key
/// rotate|lock|unlock`): whatever the command changes, it changes in a copy, and the target
/// only ever holds the whole old folder or the whole new one.
///
/// `run` does, in order:
/// 1. refuses a target a manager or another swarmsafe holds, and takes swarmsafe's exclusive
///    lock on it (a missing target, where allowed, has nothing to lock);
/// 2. removes the staging folders of earlier runs that were killed while filling them (their
///    process is gone; such a folder never held anything but a partial copy);
/// 3. creates a hidden sibling, `.<name>.swarmsafe-staging-<time>-<pid>`, mode 0700, and lets
///    the caller read the target and fill the sibling — or decide there is nothing to change;
/// 4. gives the sibling its final mode (the target's unless the caller says otherwise), syncs
///    every folder in it bottom-up, and renames it `.<name>.swarmsafe-restore-<time>-<pid>`:
///    from then on it is complete, and a later run never removes it;
/// 5. exchanges it with the target (`DirectorySwap`), which ends with the previous folder at
///    `<target>.swarmsafe-old-<time>` — never deleted — and the parent synced.
///
/// A kill before 4 leaves a `-staging-` folder, removed by the next run; between 4 and the
/// end of 5, a complete `-restore-` folder (the new state, or the old one just swapped out),
/// which `leftovers` lists and every run warns about.
public struct StateDirectoryReplacement: Sendable {
    /// The folder being replaced (no trailing slash).
    public let target: String
    /// What the command is doing, for a refusal's message.
    public let use: StateDirectoryUse
    /// Names the aside and staging folders.
    public let now: Date
    /// A missing (or empty) target is filled rather than refused: `restore` to a new host.
    public var allowsMissingTarget = false
    /// With `allowsMissingTarget`: thrown, naming the target, when it holds state; nil
    /// replaces it (moved aside).
    public var refusalWhenOccupied: (@Sendable (String) -> any Error)?
    public var logger: Logger

    public init(target: String, use: StateDirectoryUse, now: Date, logger: Logger = Logger(label: "swarmsafe.replace")) {
        self.target = DirectorySwap.trimmed(target)
        self.use = use
        self.now = now
        self.logger = logger
    }

    /// The sibling being filled.
    public struct Staging: Sendable {
        public let path: String
        /// The mode the new folder is given before it is installed.
        public var mode: mode_t
        public var directory: StateDirectory { StateDirectory(path: path) }
    }

    /// What the caller's change decided.
    public enum Decision<Value> {
        /// Nothing to change: the staging folder is removed and the target left as it was.
        case unchanged(Value)
        /// The staging folder is complete: install it.
        case install(Value)
    }

    public struct Outcome<Value> {
        public let value: Value
        /// Where the previous folder went; nil when nothing was replaced (unchanged, or the
        /// target was missing or empty).
        public let previousMovedTo: String?
    }

    /// Runs the replacement; `change` is called with the lock held. When anything throws, the
    /// target is as it was (or, when the swap failed half way, the error says where each
    /// folder is) and our staging folder is gone.
    public func run<Value>(_ change: (inout Staging) throws -> Decision<Value>) throws -> Outcome<Value> {
        let lock = try claim()
        defer { lock?.release() }
        removeAbandonedStaging()
        for leftover in DirectorySwap.leftovers(for: target) {
            logger.warning(
                "a complete folder from an interrupted replacement is still there (the new state or the previous one); check it and remove it by hand",
                metadata: ["path": "\(leftover)"])
        }

        let stagingPath = Self.stagingPrefix(for: target) + "\(DirectorySwap.timestamp(now))-\(getpid())"
        try FileSync.makeDirectory(stagingPath, mode: 0o700)
        var completePath: String?
        defer {
            // Only our own partial copy: once complete it is never removed here.
            if completePath == nil { try? FileManager.default.removeItem(atPath: stagingPath) }
        }
        var staging = Staging(path: stagingPath, mode: try targetMode())
        let value: Value
        switch try change(&staging) {
        case .unchanged(let unchanged): return Outcome(value: unchanged, previousMovedTo: nil)
        case .install(let installed): value = installed
        }
        FaultPoint.reached("replace-filled")

        guard chmod(stagingPath, staging.mode) == 0 else {
            throw FileAccessError(path: stagingPath, operation: "set the mode of", errno: errno)
        }
        try Self.syncTree(stagingPath)
        let complete = DirectorySwap.stagingName(for: target, at: now)
        try FileSync.rename(stagingPath, to: complete)
        completePath = complete
        try FileSync.syncDirectory(DirectorySwap.parentDirectory(of: target))
        FaultPoint.reached("replace-complete")

        let aside: String?
        do {
            aside = try DirectorySwap.install(
                staged: complete, at: target, asideName: { DirectorySwap.oldName(for: $0, at: now) })
        } catch {
            // A swap that throws leaves the previous folder at the target or aside, never at
            // `complete`, which holds only our new copy (or nothing).
            try? FileManager.default.removeItem(atPath: complete)
            throw error
        }
        FaultPoint.reached("replace-installed")
        return Outcome(value: value, previousMovedTo: aside)
    }

    /// Holders refused, then the exclusive lock; nil when a missing or empty target may be
    /// filled (nothing to hold or lock yet).
    private func claim() throws -> StateDirectoryLock? {
        guard allowsMissingTarget else { return try StateDirectoryLock.claim(target, for: use) }
        let entry = try FileSync.entry(target)
        switch entry {
        case .missing: return nil
        case .other: throw StagingError.targetNotADirectory(path: target)
        case .emptyDirectory, .nonEmptyDirectory:
            // Holders are refused first: "stop Docker" says more than "pass --force".
            let lock = try StateDirectoryLock.claim(target, for: use)
            if let refusalWhenOccupied, entry == .nonEmptyDirectory {
                lock.release()
                throw refusalWhenOccupied(target)
            }
            return lock
        }
    }

    private func targetMode() throws -> mode_t {
        try FileSync.entry(target) == .missing ? 0o700 : FileSync.mode(of: target)
    }

    /// `-staging-` folders of this target whose process is gone: partial copies, by
    /// construction never the target and never complete.
    private func removeAbandonedStaging() {
        for path in Self.abandonedStaging(for: target) {
            do {
                try FileManager.default.removeItem(atPath: path)
                logger.notice("removed the partial copy of an interrupted run", metadata: ["path": "\(path)"])
            } catch {
                logger.warning("cannot remove the partial copy of an interrupted run", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// `-staging-` folders of `target` whose process (the pid ending the name) is not running,
    /// and the scratch folders the change made beside them (`.<staging name>.<purpose>…`: a
    /// compaction's new raft folder, the check's copy), which a killed run left just the same.
    package static func abandonedStaging(for target: String) -> [String] {
        let parent = DirectorySwap.parentDirectory(of: target)
        let prefix = (stagingPrefix(for: target) as NSString).lastPathComponent
        // An unreadable parent leaves nothing to clean; creating the staging folder will say why.
        guard let names = try? FileSync.listDirectory(parent) else { return [] }
        return names.filter { name in
            let staging = name.hasPrefix("." + prefix) ? name.dropFirst() : Substring(name)
            guard staging.hasPrefix(prefix) else { return false }
            // "<time>-<pid>", up to the scratch folder's own suffix.
            let run = staging.dropFirst(prefix.count).prefix { $0 != "." }
            guard let pid = run.split(separator: "-").last.flatMap({ Int32($0) }) else { return false }
            return ProcessLiveness.isGone(pid)
        }.sorted().map { DirectorySwap.join(parent, $0) }
    }

    /// `<parent>/.<name>.swarmsafe-staging-`
    static func stagingPrefix(for target: String) -> String {
        DirectorySwap.join(
            DirectorySwap.parentDirectory(of: target),
            "." + (DirectorySwap.trimmed(target) as NSString).lastPathComponent + ".swarmsafe-staging-")
    }

    /// Every folder synced bottom-up (the writers synced the files), so the rename that
    /// follows can only expose a complete tree.
    static func syncTree(_ root: String) throws {
        var directories: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var info = stat()
            let path = root + "/" + relative
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { directories.append(path) }
        }
        for directory in directories.reversed() { try FileSync.syncDirectory(directory) }
        try FileSync.syncDirectory(root)
    }
}
