import Foundation

/// One decoder of bytes swarmsafe did not write itself, reachable from a single input.
/// libFuzzer (`scripts/fuzz.sh`) and the test suite (`SwarmFuzzTests`) drive the same entries,
/// so a crash found by one is replayed by the other.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case wal
    case snapshot
    case nodeKey = "node-key"
    case age
    case archive
    case stateJSON = "state-json"
    case dockerStateJSON = "docker-state-json"
    case engineAPI = "engine-api"

    /// Runs the decoders on `data`. Bad input must come back as `.rejected`; a crash, a hang,
    /// a leak or a broken invariant (a `precondition` in the entries) is a finding.
    @discardableResult
    public func run(_ data: Data) -> FuzzOutcome {
        switch self {
        case .wal: WALFuzz.run(data)
        case .snapshot: SnapshotFuzz.run(data)
        case .nodeKey: NodeKeyFuzz.run(data)
        case .age: AgeFuzz.run(data)
        case .archive: ArchiveFuzz.run(data)
        case .stateJSON: StateFilesFuzz.runStateJSON(data)
        case .dockerStateJSON: StateFilesFuzz.runDockerStateJSON(data)
        case .engineAPI: EngineAPIFuzz.run(data)
        }
    }
}

/// What the product made of an input: seeds taken from real files must be accepted, which is
/// how the tests know an entry really reaches its decoder.
public enum FuzzOutcome: Sendable, Equatable {
    case accepted
    case rejected(String)

    public var isAccepted: Bool { self == .accepted }

    static func of(_ body: () throws -> Void) -> FuzzOutcome {
        do {
            try body()
            return .accepted
        } catch {
            return .rejected("\(error)")
        }
    }
}
