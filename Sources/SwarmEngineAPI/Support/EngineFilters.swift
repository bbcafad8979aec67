import Foundation

/// The `filters` query parameter: a JSON object of sets, `{"name":{"web":true}}`. Old
/// clients send arrays instead (`{"name":["web"]}`); both mean the same.
public struct EngineFilters: Sendable, Equatable {
    public private(set) var values: [String: Set<String>] = [:]

    public init(_ values: [String: Set<String>] = [:]) {
        self.values = values
    }

    /// Parses the raw (already URL-decoded) parameter; nil or empty is no filter.
    public init(json: String?) throws(EngineError) {
        guard let json, !json.isEmpty else { return }
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw EngineError.badRequest("invalid filter: \(json)")
        }
        for (key, raw) in object {
            switch raw {
            case let set as [String: Any]:
                // Docker's map form: only the keys matter, `false` entries included.
                values[key] = Set(set.keys)
            case let list as [String]:
                values[key] = Set(list)
            default:
                throw EngineError.badRequest("invalid filter '\(key)'")
            }
        }
    }

    /// Refuses keys the endpoint does not know, with Docker's message.
    public func validate(accepted: Set<String>) throws(EngineError) {
        for key in values.keys.sorted() where !accepted.contains(key) {
            throw EngineError.badRequest("invalid filter '\(key)'")
        }
    }

    public subscript(key: String) -> Set<String> { values[key] ?? [] }

    public func contains(_ key: String) -> Bool { values[key] != nil }

    /// IDs match by prefix, as swarmkit's ID index does; no `id` filter matches everything.
    public func matchesID(_ id: String) -> Bool {
        anyOrNone("id") { id.hasPrefix($0) }
    }

    /// Names match by case-insensitive prefix: swarmkit indexes names lower-cased.
    public func matchesName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return anyOrNone("name") { lower.hasPrefix($0.lowercased()) }
    }

    /// `key` matches an object that has the label, `key=value` one with that value; every
    /// label filter must match.
    public func matchesLabels(_ labels: [String: String], key: String = "label") -> Bool {
        self[key].allSatisfy { filter in
            guard let equals = filter.firstIndex(of: "=") else { return labels[filter] != nil }
            return labels[String(filter[..<equals])] == String(filter[filter.index(after: equals)...])
        }
    }

    /// Exact membership for keys like `service`, `node`, `role`; no filter matches everything.
    public func matchesExactly(_ key: String, _ value: String) -> Bool {
        anyOrNone(key) { $0 == value }
    }

    private func anyOrNone(_ key: String, _ match: (String) -> Bool) -> Bool {
        guard let wanted = values[key], !wanted.isEmpty else { return true }
        return wanted.contains(where: match)
    }
}
