import SwiftProtobuf

/// Go's time.Duration travels as an integer count of nanoseconds in Docker's JSON.
enum EngineDuration {
    static func nanoseconds(_ d: Google_Protobuf_Duration) -> Int64 {
        let (product, overflow) = d.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return d.seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(Int64(d.nanos)).overflow ? .max : product + Int64(d.nanos)
    }

    static func proto(_ ns: Int64) -> Google_Protobuf_Duration {
        // Both parts share the sign, as protobuf requires and Go's DurationProto produces.
        Google_Protobuf_Duration(seconds: ns / 1_000_000_000, nanos: Int32(ns % 1_000_000_000))
    }

    /// For durations Docker's JSON drops when zero (`omitempty`): swarmkit may still have held
    /// an explicit zero, which only `base` remembers. With no base sub-message to ask,
    /// `zeroPresentByDefault` says what Docker would store.
    static func merged(_ ns: Int64?, base: Google_Protobuf_Duration?, baseKnown: Bool, zeroPresentByDefault: Bool)
        -> Google_Protobuf_Duration?
    {
        if let ns, ns != 0 { return proto(ns) }
        if baseKnown { return base.map { nanoseconds($0) == 0 ? $0 : Google_Protobuf_Duration() } }
        return zeroPresentByDefault ? Google_Protobuf_Duration() : nil
    }
}
