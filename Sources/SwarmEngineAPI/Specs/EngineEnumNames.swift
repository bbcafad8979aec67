/// Docker spells swarmkit enums as lower-cased proto names (a few with dashes), so one table
/// per enum serves both directions.
struct EngineEnumNames<Value: Hashable & Sendable>: Sendable {
    let field: String
    let pairs: [(String, Value)]
    /// Docker's wording when it does not follow `invalid <field>: "<value>"`: a prefix for the bare value.
    var unrecognized: String? = nil

    func name(_ value: Value) -> String? { pairs.first { $0.1 == value }?.0 }

    /// `nil` and "" give `empty` (Docker's default); an unknown string is an error.
    func value(_ name: String?, empty: Value) throws(SpecConversionError) -> Value {
        guard let name, !name.isEmpty else { return empty }
        guard let match = pairs.first(where: { $0.0 == name.lowercased() }) else {
            if let unrecognized { throw .invalid("\(unrecognized) \(name)") }
            throw .invalidValue(field: field, value: name)
        }
        return match.1
    }

    /// For the enums Docker maps without complaint: an unknown string falls back to `empty`.
    func lenientValue(_ name: String?, empty: Value) -> Value {
        (try? value(name, empty: empty)) ?? empty
    }
}
