/// Compares what an archive holds with what its manifest says it holds. Each finding is one
/// line an operator can act on.
public enum ManifestCheck {
    public static func findings(_ archive: UnpackedArchive) -> [String] {
        guard let manifest = archive.manifest else {
            return [archive.manifestProblem ?? "manifest.json is missing (the archive is incomplete or not a swarmsafe backup)"]
        }
        var findings: [String] = []
        if manifest.format > BackupManifest.currentFormat {
            findings.append("manifest format \(manifest.format) is newer than this swarmsafe understands (\(BackupManifest.currentFormat))")
        }
        for unexpected in archive.unexpected {
            findings.append("\(unexpected): in the archive but not part of a swarmsafe backup")
        }
        var listed = Set<String>()
        for file in manifest.files {
            listed.insert(file.path)
            guard let found = archive.files[file.path] else {
                findings.append("\(file.path): listed in the manifest but missing from the archive")
                continue
            }
            if found.size != file.size {
                findings.append("\(file.path): \(found.size) bytes, the manifest says \(file.size)")
            } else if found.sha256 != file.sha256 {
                findings.append("\(file.path): SHA-256 \(found.sha256) does not match the manifest's \(file.sha256)")
            }
            if let mode = BackupManifest.mode(file.mode), mode != found.mode {
                findings.append("\(file.path): mode \(BackupManifest.octal(found.mode)), the manifest says \(file.mode)")
            }
        }
        for path in archive.files.keys.sorted() where !listed.contains(path) {
            findings.append("\(path): in the archive but not in the manifest")
        }
        for directory in manifest.directories where archive.directories[directory.path] == nil {
            findings.append("\(directory.path)/: listed in the manifest but missing from the archive")
        }
        return findings
    }
}
