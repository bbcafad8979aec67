/// What `ReferenceCheck` found in a store, in two kinds.
public struct ReferenceReport: Sendable, Equatable {
    /// References swarmkit itself would trip over once it runs the state: one line each.
    public var findings: [String] = []
    /// Dangling references swarmkit resolves by itself (tasks it deletes, reschedules or
    /// reaps): one line per kind, with the count. Not a reason to refuse anything.
    public var information: [String] = []

    public init(findings: [String] = [], information: [String] = []) {
        self.findings = findings
        self.information = information
    }
}
