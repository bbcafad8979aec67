import Foundation
import SwarmFormats

/// A private folder (0700) for the copy of a state directory a backup is taken from, or an
/// archive is unpacked into to be checked. It holds key material, so it lives next to the
/// state directory (same filesystem and trust as the original) unless the operator names
/// another place, and it is removed when its owner is done with it: it only ever holds what
/// we wrote.
public final class WorkDirectory {
    public let path: String

    /// Creates `<parent>/.<name>.swarmsafe-<purpose>-<pid>-<random>` in `parent`.
    public init(in parent: String, name: String, purpose: String) throws {
        let unique = "\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        path = (parent as NSString).appendingPathComponent(".\(name).swarmsafe-\(purpose)-\(unique)")
        try FileSync.makeDirectory(path, mode: 0o700)
    }

    /// Next to `anchor` when its parent is writable, else in the system temporary folder.
    public static func near(_ anchor: String, purpose: String, override: String? = nil) throws -> WorkDirectory {
        let name = (anchor as NSString).lastPathComponent
        if let override { return try WorkDirectory(in: override, name: name, purpose: purpose) }
        let parent = (anchor as NSString).deletingLastPathComponent
        // Beside the anchor when we may write there (same file system); else the temporary
        // folder, whose own failure is then the one reported.
        if access(parent, W_OK) == 0, let directory = try? WorkDirectory(in: parent, name: name, purpose: purpose) {
            return directory
        }
        return try WorkDirectory(in: NSTemporaryDirectory(), name: name, purpose: purpose)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Removes work folders of `purpose` for `anchor` left by runs that were killed (their pid
    /// is gone): they hold copies of key material and nobody else will clean them up.
    @discardableResult
    public static func removeAbandoned(near anchor: String, purpose: String, override: String? = nil) -> [String] {
        let name = (anchor as NSString).lastPathComponent
        let parent = override ?? (anchor as NSString).deletingLastPathComponent
        // Housekeeping: what cannot be removed is retried by the next run.
        return ProcessLiveness.abandoned(in: parent, prefix: ".\(name).swarmsafe-\(purpose)-").filter { path in
            (try? FileManager.default.removeItem(atPath: path)) != nil
        }
    }
}
