/// One field that differs between two versions of an object. A side is nil where the field
/// is absent (protobuf's JSON mapping leaves out zero values, so absent means zero or empty).
public struct FieldChange: Sendable, Equatable, Encodable {
    /// Dotted path in the JSON rendering, e.g. `spec.task.container.image`, `spec.labels.app`,
    /// `spec.task.container.env[1]`.
    public let path: String
    public let before: DiffJSON?
    public let after: DiffJSON?

    enum CodingKeys: String, CodingKey { case path, before, after }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(before ?? .null, forKey: .before)
        try c.encode(after ?? .null, forKey: .after)
    }
}

/// Walks two JSON values side by side and lists where they differ. Lists of different lengths
/// are reported whole: matching their elements up would be a guess.
enum FieldDiff {
    enum Step: Equatable {
        case key(String)
        case element(Int)
    }

    static func paths(_ before: DiffJSON?, _ after: DiffJSON?, at path: [Step] = []) -> [[Step]] {
        guard before != after else { return [] }
        switch (before, after) {
        case (.object(let a)?, .object(let b)?):
            return Set(a.keys).union(b.keys).sorted().flatMap { paths(a[$0], b[$0], at: path + [.key($0)]) }
        case (.array(let a)?, .array(let b)?) where a.count == b.count:
            return a.indices.flatMap { paths(a[$0], b[$0], at: path + [.element($0)]) }
        default:
            return [path]
        }
    }

    static func value(_ json: DiffJSON?, at path: [Step]) -> DiffJSON? {
        var current = json
        for step in path {
            switch (step, current) {
            case (.key(let key), .object(let fields)?): current = fields[key]
            case (.element(let i), .array(let items)?) where items.indices.contains(i): current = items[i]
            default: return nil
            }
        }
        return current
    }

    static func text(_ path: [Step]) -> String {
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .element(let i): text += "[\(i)]"
            }
        }
        return text
    }
}
