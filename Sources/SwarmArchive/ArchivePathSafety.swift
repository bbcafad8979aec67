/// The rules an archive entry must pass before anything is created on disk for it.
/// Restores only ever need plain files and directories below the target folder, so
/// anything else is refused rather than interpreted.
public enum ArchivePathSafety {
    /// The path relative to the extraction folder, with "." and empty components dropped
    /// ("./a//b/" → "a/b"). The folder itself comes back as ".".
    public static func normalizedPath(_ path: String) throws(ArchiveError) -> String {
        if path.isEmpty {
            throw .unsafeEntry(path: path, reason: "empty path")
        }
        if path.utf8.contains(0) {
            throw .unsafeEntry(path: path, reason: "path contains a NUL byte")
        }
        if path.hasPrefix("/") {
            throw .unsafeEntry(path: path, reason: "absolute path")
        }
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            // Refused even when it would stay inside (a/../b): no legitimate writer emits it,
            // and refusing is simpler to trust than resolving.
            case "..": throw .unsafeEntry(path: path, reason: "path leaves the extraction folder")
            default: components.append(component)
            }
        }
        return components.isEmpty ? "." : components.joined(separator: "/")
    }

    /// Checks an entry read from an archive and returns its normalized path.
    @discardableResult
    public static func validate(_ entry: ArchiveEntryInfo) throws(ArchiveError) -> String {
        let path = try normalizedPath(entry.path)
        switch entry.kind {
        case .directory:
            return path
        case .file:
            if path == "." {
                throw .unsafeEntry(path: entry.path, reason: "a file cannot replace the extraction folder")
            }
            return path
        case .symlink:
            throw .unsafeEntry(path: entry.path, reason: "symbolic link\(target(entry)) is not allowed")
        case .hardlink:
            throw .unsafeEntry(path: entry.path, reason: "hard link\(target(entry)) is not allowed")
        case .other(let name):
            throw .unsafeEntry(path: entry.path, reason: "\(name) is not allowed")
        }
    }

    private static func target(_ entry: ArchiveEntryInfo) -> String {
        entry.linkTarget.map { " to \(ArchiveError.quoted($0))" } ?? ""
    }
}
