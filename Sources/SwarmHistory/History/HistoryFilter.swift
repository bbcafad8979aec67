import SwarmFormats
import SwarmStore

/// Which events `history` prints.
public struct HistoryFilter: Sendable {
    /// Object kinds (`service`, …) and `member` for conf changes; nil for all.
    public var kinds: Set<String>?
    /// An object's name or ID; a service's name also selects its tasks.
    public var name: String?
    public var indexes: ClosedRange<UInt64>
    /// Leader no-ops are noise for an operator; shown only when asked.
    public var includeNoOps: Bool

    public static let kindNames = ObjectKind.allCases.map(\.rawValue) + ["member"]

    public init(
        kinds: Set<String>? = nil, name: String? = nil, indexes: ClosedRange<UInt64> = 0...UInt64.max,
        includeNoOps: Bool = false
    ) {
        self.kinds = kinds
        self.name = name
        self.indexes = indexes
        self.includeNoOps = includeNoOps
    }

    func admits(_ kind: String) -> Bool { kinds?.contains(kind) ?? true }

    func admits(_ object: StoreObject) -> Bool {
        guard admits(object.kind.rawValue) else { return false }
        guard let name else { return true }
        return object.id == name || object.displayName == name || object.owningServiceName == name
    }

    func admitsMember(raftID: UInt64, nodeID: String?) -> Bool {
        guard admits("member") else { return false }
        guard let name else { return true }
        return name == raftIDString(raftID) || name == nodeID
    }

    /// Without filters on kind or name, no-ops count as events of their own.
    var admitsNoOps: Bool { includeNoOps && kinds == nil && name == nil }
}
