import Foundation

/// What `swarmsafe check` found: each invariant with its outcome, and the write probe.
public struct CheckReport: Sendable, Encodable {
    public struct Item: Sendable, Encodable {
        public let name: String
        public let ok: Bool
        public let detail: String
    }

    public let source: String
    /// The scratch copy had other voters and was recovered first (their count).
    public let recoveredOnCopy: Int
    public let commitIndex: UInt64
    public let objects: [String: Int]
    public let items: [Item]
    /// Dangling references swarmkit cleans up by itself (see `ReferenceCheck`), counted, one
    /// line per kind; they never fail a check.
    public let information: [String]
    public let bootSeconds: Double

    public var passed: Bool { items.allSatisfy(\.ok) }
    public var failures: [Item] { items.filter { !$0.ok } }

    enum CodingKeys: String, CodingKey {
        case source, objects, items, passed, information
        case recoveredOnCopy = "recovered_on_copy"
        case commitIndex = "commit_index"
        case bootSeconds = "boot_seconds"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(passed, forKey: .passed)
        try c.encode(recoveredOnCopy, forKey: .recoveredOnCopy)
        try c.encode(commitIndex, forKey: .commitIndex)
        try c.encode(objects, forKey: .objects)
        try c.encode(items, forKey: .items)
        try c.encode(information, forKey: .information)
        try c.encode(bootSeconds, forKey: .bootSeconds)
    }
}
