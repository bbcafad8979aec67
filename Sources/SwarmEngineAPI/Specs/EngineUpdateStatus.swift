import StreamingJSON
import SwarmProto

/// Docker's swarm.UpdateStatus.
public struct EngineUpdateStatus: Codable, Sendable, Equatable {
    /// "updating", "paused", "completed", "rollback_started", "rollback_paused", "rollback_completed".
    public var state: String?
    public var startedAt: String?
    public var completedAt: String?
    public var message: String?

    public init(state: String? = nil, startedAt: String? = nil, completedAt: String? = nil, message: String? = nil) {
        self.state = state
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case state = "State", startedAt = "StartedAt", completedAt = "CompletedAt", message = "Message"
    }
}

extension EngineUpdateStatus {
    static let states = EngineEnumNames<SwarmUpdateStatus.UpdateState>(
        field: "State",
        pairs: [("updating", .updating), ("paused", .paused), ("completed", .completed),
                ("rollback_started", .rollbackStarted), ("rollback_paused", .rollbackPaused),
                ("rollback_completed", .rollbackCompleted)])

    public init(_ status: SwarmUpdateStatus) {
        // Docker hides unset times and the Unix epoch alike.
        let started = status.hasStartedAt && status.startedAt.seconds != 0 ? EngineTime.string(status.startedAt) : nil
        let completed = status.hasCompletedAt && status.completedAt.seconds != 0 ? EngineTime.string(status.completedAt) : nil
        self.init(
            state: Self.states.name(status.state),
            startedAt: started,
            completedAt: completed,
            message: status.message.isEmpty ? nil : status.message
        )
    }
}

extension EngineUpdateStatus: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.state, state)
            try json.member(CodingKeys.startedAt, startedAt)
            try json.member(CodingKeys.completedAt, completedAt)
            try json.member(CodingKeys.message, message)
        }
    }
}
