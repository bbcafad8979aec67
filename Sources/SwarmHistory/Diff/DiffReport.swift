import Foundation

/// `swarmsafe diff`: the two states compared and what differs between them. Field names of
/// the JSON form are a contract.
public struct DiffReport: Encodable, Sendable {
    public struct Side: Sendable, Encodable {
        /// The folder or archive as given.
        public let source: String
        /// The log index the state was taken at.
        public let index: UInt64

        public init(source: String, index: UInt64) {
            self.source = source
            self.index = index
        }
    }

    public let a: Side
    public let b: Side
    public let diff: StoreDiff

    public init(a: Side, b: Side, diff: StoreDiff) {
        self.a = a
        self.b = b
        self.diff = diff
    }

    /// Values longer than this are cut in the text form (the JSON form has them whole).
    static let textValueLimit = 160

    /// The text form: one header line per side, a line per object, an indented line per field,
    /// and a summary.
    public var lines: [String] {
        var lines = ["a: \(a.source) at index \(a.index)", "b: \(b.source) at index \(b.index)"]
        for kind in diff.kinds {
            let k = kind.kind.rawValue
            for object in kind.removed { lines.append("removed  \(k) \(label(object.name, object.id))") }
            for object in kind.added { lines.append("added    \(k) \(label(object.name, object.id))") }
            for object in kind.changed {
                lines.append("changed  \(k) \(label(object.name, object.id))")
                for field in object.fields {
                    lines.append("    \(field.path): \(Self.text(field.before)) → \(Self.text(field.after))")
                }
            }
        }
        lines.append(
            diff.isEmpty
                ? "no differences (meta-only changes are not counted)"
                : "\(diff.changed) changed, \(diff.added) added, \(diff.removed) removed")
        return lines
    }

    private func label(_ name: String, _ id: String) -> String {
        name.isEmpty || name == id ? id : "\(name) (\(id))"
    }

    static func text(_ value: DiffJSON?) -> String {
        guard let value else { return "(absent)" }
        let text = (try? value.compactText()) ?? "?"
        return text.count > textValueLimit ? String(text.prefix(textValueLimit)) + "…" : text
    }

    enum CodingKeys: String, CodingKey { case a, b, summary, kinds }
    struct Summary: Encodable { let added: Int, removed: Int, changed: Int }
    struct KindJSON: Encodable {
        let added: [StoreDiff.Object]
        let removed: [StoreDiff.Object]
        let changed: [StoreDiff.Changed]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(a, forKey: .a)
        try c.encode(b, forKey: .b)
        try c.encode(Summary(added: diff.added, removed: diff.removed, changed: diff.changed), forKey: .summary)
        var kinds: [String: KindJSON] = [:]
        for kind in diff.kinds {
            kinds[kind.kind.rawValue] = KindJSON(added: kind.added, removed: kind.removed, changed: kind.changed)
        }
        try c.encode(kinds, forKey: .kinds)
    }
}
