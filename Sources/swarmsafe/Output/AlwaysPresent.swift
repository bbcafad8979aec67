/// An optional field a `--json` report always prints, as `null` when it has no value, so every
/// object of a report has the same keys whatever the run. JSONEncoder's synthesized code leaves
/// a nil out, and none of its strategies changes that; this is the one thing the reports needed
/// a hand-written `encode(to:)` for.
@propertyWrapper
struct AlwaysPresent<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}
