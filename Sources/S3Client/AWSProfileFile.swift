import Foundation

/// The INI files the AWS CLI reads: `~/.aws/credentials` (sections named `[NAME]`) and
/// `~/.aws/config` (sections named `[profile NAME]`, except `[default]`).
struct AWSProfileFile: Sendable {
    /// Section name (as the file spells it) → lower-cased key → value.
    let sections: [String: [String: String]]

    /// nil when the file does not exist; throws when it exists but cannot be read.
    static func load(_ path: String) throws(S3Error) -> AWSProfileFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .credentialsFile(path: path, reason: "cannot be read")
        }
        return AWSProfileFile(parsing: String(decoding: data, as: UTF8.self))
    }

    init(parsing text: String) {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                sections[name, default: [:]] = sections[name, default: [:]]
                continue
            }
            // Indented lines continue a nested block (`s3 =` then `  addressing_style = …`):
            // read as keys of the same section, which is what the few we use need.
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current, default: [:]][key] = value
        }
        self.sections = sections
    }

    /// A profile of the credentials file.
    func credentialsProfile(_ name: String) -> [String: String]? { sections[name] }

    /// A profile of the config file: `[default]` or `[profile NAME]`.
    func configProfile(_ name: String) -> [String: String]? {
        name == "default" ? (sections["default"] ?? sections["profile default"]) : sections["profile \(name)"]
    }
}
