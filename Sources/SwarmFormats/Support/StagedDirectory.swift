import Foundation

/// Why a new state directory cannot be created at a path. Shared by every command that
/// writes a whole folder (`init`, `decrypt`, later `restore`), so they refuse alike.
public enum StagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The target exists and holds something: nothing is ever written over existing state.
    case targetNotEmpty(path: String)
    case targetNotADirectory(path: String)
    /// The folder the target would be created in does not exist.
    case parentMissing(path: String)

    public var description: String {
        switch self {
        case .targetNotEmpty(let path): "\(path): already exists and is not empty; choose a new folder"
        case .targetNotADirectory(let path): "\(path): exists and is not a directory"
        case .parentMissing(let path): "\(path): no such directory to create the state directory in"
        }
    }
}

/// A new state directory under construction: a hidden sibling of the target
/// (`.<name>.swarmsafe-creating-<pid>-<random>`), renamed onto it only when complete and
/// synced. A crash leaves the target as it was (absent, or the empty directory it was) plus a
/// hidden staging folder, never a half-written target; the next run removes that folder once
/// its process is gone.
package struct StagedDirectory {
    static let mode: mode_t = 0o700

    package let target: String
    package let parent: String
    package let path: String

    /// Refuses a target that holds anything, is not a directory, or has no parent; returns
    /// the parent.
    package static func check(target: String) throws -> String {
        let parent = (target as NSString).deletingLastPathComponent
        switch try FileSync.entry(target) {
        case .missing, .emptyDirectory: break
        case .nonEmptyDirectory: throw StagingError.targetNotEmpty(path: target)
        case .other: throw StagingError.targetNotADirectory(path: target)
        }
        guard try FileSync.entry(parent) != .missing else { throw StagingError.parentMissing(path: parent) }
        return parent
    }

    /// Checks the target and creates the staging folder beside it.
    package init(target: String) throws {
        let parent = try Self.check(target: target)
        self.target = target
        self.parent = parent
        let prefix = "." + (target as NSString).lastPathComponent + ".swarmsafe-creating-"
        // Killed runs' staging folders for this target: partial by construction (a complete
        // one was renamed onto the target), and only ever what such a run wrote.
        for leftover in ProcessLiveness.abandoned(in: parent, prefix: prefix) {
            try? FileManager.default.removeItem(atPath: leftover)
        }
        path = parent + "/" + prefix + "\(getpid())-" + UUID().uuidString.prefix(8).lowercased()
        try FileSync.makeDirectory(path, mode: Self.mode)
    }

    /// Syncs the staged tree's root, renames it onto the target and syncs the parent.
    package func commit() throws {
        try FileSync.syncDirectory(path)
        do {
            try FileSync.rename(path, to: target)
        } catch {
            // Someone filled the target since it was checked; it is left alone.
            if error.code == ENOTEMPTY || error.code == EEXIST { throw StagingError.targetNotEmpty(path: target) }
            throw error
        }
        try FileSync.syncDirectory(parent)
    }

    /// Removes the staging folder after a failure: it only ever holds what we wrote.
    package func abandon() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
