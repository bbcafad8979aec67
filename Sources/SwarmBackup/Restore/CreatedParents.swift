#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwarmFormats

/// The folders above a restore target that did not exist, created as `mkdir -p` does: a
/// fresh host may have no `/var/lib/docker` yet. They get 0755, the mode Docker gives its
/// data root (the state directory itself stays 0700). They are remembered so that a restore
/// that is refused or fails takes them away again and leaves the host as it found it.
struct CreatedParents {
    /// Outermost first.
    private(set) var paths: [String] = []

    static let mode: mode_t = 0o755

    /// Creates every missing folder above `target`. A path part that exists but is not a
    /// folder fails with its own name, before anything is created.
    static func make(above target: String) throws -> CreatedParents {
        var missing: [String] = []
        var folder = (target as NSString).deletingLastPathComponent
        while !folder.isEmpty {
            var info = stat()
            // stat, not lstat: /var/lib/docker is often a symlink to another disk.
            if stat(folder, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw FileAccessError(path: folder, operation: "create a folder in it", errno: ENOTDIR)
                }
                break
            }
            // ENOTDIR: a file further up; walking on finds it and names it.
            guard errno == ENOENT || errno == ENOTDIR else {
                throw FileAccessError(path: folder, operation: "examine", errno: errno)
            }
            missing.append(folder)
            let up = (folder as NSString).deletingLastPathComponent
            if up == folder { break }
            folder = up
        }
        var created = CreatedParents()
        do {
            for path in missing.reversed() {
                try FileSync.makeDirectory(path, mode: mode)
                created.paths.append(path)
                try FileSync.syncDirectory((path as NSString).deletingLastPathComponent)
            }
        } catch {
            created.remove()
            throw error
        }
        return created
    }

    /// Removes what `make` created, innermost first; a folder something else has put files
    /// in since is left, with everything above it.
    func remove() {
        for path in paths.reversed() {
            guard rmdir(path) == 0 else { return }
        }
        if let outermost = paths.first {
            // Cleanup after a failed restore, whose error is the one reported.
            _ = try? FileSync.syncDirectory((outermost as NSString).deletingLastPathComponent)
        }
    }
}
