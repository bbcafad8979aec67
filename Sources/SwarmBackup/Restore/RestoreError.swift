import Foundation

/// Why `restore` left the target as it was, beyond what any replacement of a state directory
/// can refuse (`ReplacementError`). Each description is one line naming the path.
public enum RestoreError: Error, CustomStringConvertible, Sendable {
    /// The target holds state and `--force` was not given. Nothing is ever deleted: with
    /// `--force` the folder is renamed `<path>.swarmsafe-old-<time>`.
    case targetNotEmpty(path: String)

    public var description: String {
        switch self {
        case .targetNotEmpty(let path):
            return "\(path): not empty; pass --force to move it aside to \(path).swarmsafe-old-<time> (nothing is deleted) and restore"
        }
    }
}
