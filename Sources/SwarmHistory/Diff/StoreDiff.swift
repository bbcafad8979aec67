import Foundation
import SwarmInspection
import SwarmStore

/// What differs between two stores, per kind: objects only in the second (added), only in the
/// first (removed), and in both with different content (changed, with the fields).
///
/// Objects are compared in the JSON rendering `dump` prints, without their
/// `meta` (version and timestamps): a write that changed nothing else is not a change.
/// Secret material is compared but only ever shown redacted.
public struct StoreDiff: Sendable {
    public struct Object: Sendable, Encodable {
        public let id: String
        public let name: String
    }

    public struct Changed: Sendable, Encodable {
        public let id: String
        public let name: String
        public let fields: [FieldChange]
    }

    public struct Kind: Sendable {
        public let kind: ObjectKind
        public var added: [Object] = []
        public var removed: [Object] = []
        public var changed: [Changed] = []
        public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
    }

    /// Only kinds with a difference, in `ObjectKind` order; objects ordered by ID.
    public let kinds: [Kind]

    public var isEmpty: Bool { kinds.isEmpty }
    public var added: Int { kinds.reduce(0) { $0 + $1.added.count } }
    public var removed: Int { kinds.reduce(0) { $0 + $1.removed.count } }
    public var changed: Int { kinds.reduce(0) { $0 + $1.changed.count } }

    public static func compare(
        _ before: ObjectStore, _ after: ObjectStore, kinds: [ObjectKind] = ObjectKind.allCases
    ) throws -> StoreDiff {
        var result: [Kind] = []
        for kind in kinds {
            var diff = Kind(kind: kind)
            let old = Dictionary(uniqueKeysWithValues: before.objects(kind).map { ($0.id, $0) })
            for object in after.objects(kind) {
                guard let previous = old[object.id] else {
                    diff.added.append(Object(id: object.id, name: try object.decoded().displayName))
                    continue
                }
                // Most objects of a big store are untouched and stored as the same bytes.
                guard previous.bytes != object.bytes else { continue }
                let (a, b) = (try previous.decoded(), try object.decoded())
                let fields = try changes(a, b)
                if !fields.isEmpty { diff.changed.append(Changed(id: object.id, name: b.displayName, fields: fields)) }
            }
            for object in before.objects(kind) where !after.contains(kind, id: object.id) {
                diff.removed.append(Object(id: object.id, name: try object.decoded().displayName))
            }
            if !diff.isEmpty { result.append(diff) }
        }
        return StoreDiff(kinds: result)
    }

    static let revealed = ObjectJSON(redaction: Redaction(reveal: true))
    static let redacted = ObjectJSON(redaction: Redaction(reveal: false))

    /// Where two versions differ is found on the full rendering, so a rotated join token or
    /// CA key counts as a change; what is shown comes from the redacted one, so it prints
    /// as "<redacted>".
    static func changes(_ a: StoreObject, _ b: StoreObject) throws -> [FieldChange] {
        let paths = FieldDiff.paths(try comparable(a, revealed), try comparable(b, revealed))
        guard !paths.isEmpty else { return [] }
        let (shownA, shownB) = (try comparable(a, redacted), try comparable(b, redacted))
        return paths.map {
            FieldChange(path: FieldDiff.text($0), before: FieldDiff.value(shownA, at: $0), after: FieldDiff.value(shownB, at: $0))
        }
    }

    static func comparable(_ object: StoreObject, _ renderer: ObjectJSON) throws -> DiffJSON {
        guard case .object(var fields) = try DiffJSON.parse(renderer.line(object)) else { return .null }
        fields["meta"] = nil
        return .object(fields)
    }
}
