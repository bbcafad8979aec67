import Foundation
import SwarmFormats

/// A new state directory under construction: a hidden sibling of the target, renamed onto it
/// only when complete and synced. A crash leaves the target as it was (absent, or the empty
/// directory it was) plus a hidden staging folder, never a half-written target.
struct StagedDirectory {
    static let mode: mode_t = 0o700

    let target: String
    let parent: String
    let path: String

    /// Refuses a target that holds anything, is not a directory, has no parent, or lies in
    /// the source. Returns the parent.
    static func check(target: StateDirectory, source: StateDirectory) throws -> String {
        let path = target.path
        let parent = (path as NSString).deletingLastPathComponent
        switch try FileSync.entry(path) {
        case .missing, .emptyDirectory: break
        case .nonEmptyDirectory: throw RewriteError.targetNotEmpty(path: path)
        case .other: throw RewriteError.targetNotADirectory(path: path)
        }
        guard try FileSync.entry(parent) != .missing else { throw RewriteError.parentMissing(path: parent) }
        let resolvedSource = source.root.resolvingSymlinksInPath().path
        let resolvedTarget = URL(fileURLWithPath: parent).resolvingSymlinksInPath()
            .appendingPathComponent((path as NSString).lastPathComponent).path
        if resolvedTarget == resolvedSource || resolvedTarget.hasPrefix(resolvedSource + "/") {
            throw RewriteError.targetInsideSource(path: path)
        }
        return parent
    }

    init(target: StateDirectory, parent: String) throws {
        self.target = target.path
        self.parent = parent
        let name = (target.path as NSString).lastPathComponent
        path = parent + "/." + name + ".swarmsafe-" + UUID().uuidString.prefix(8).lowercased()
        try FileSync.makeDirectory(path, mode: Self.mode)
    }

    /// Syncs the staged tree's root, renames it onto the target and syncs the parent.
    func commit() throws {
        try FileSync.syncDirectory(path)
        do {
            try FileSync.rename(path, to: target)
        } catch {
            // Someone filled the target since it was checked; it is left alone.
            if error.code == ENOTEMPTY || error.code == EEXIST { throw RewriteError.targetNotEmpty(path: target) }
            throw error
        }
        try FileSync.syncDirectory(parent)
    }

    /// Removes the staging folder after a failure: it only ever holds what we wrote.
    func abandon() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
