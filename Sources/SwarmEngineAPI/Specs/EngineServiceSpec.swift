import StreamingJSON
import SwarmProto

/// Docker's swarm.ServiceSpec.
public struct EngineServiceSpec: Codable, Sendable, Equatable {
    public var name: String?
    /// Docker always writes Labels, `{}` when there are none.
    public var labels: [String: String]?
    public var taskTemplate: EngineTaskSpec?
    public var mode: EngineServiceMode?
    public var updateConfig: EngineUpdateConfig?
    public var rollbackConfig: EngineUpdateConfig?
    /// Deprecated since API 1.25 in favour of TaskTemplate.Networks; still read from old clients.
    public var networks: [EngineNetworkAttachmentConfig]?
    public var endpointSpec: EngineEndpointSpec?

    public init(
        name: String? = nil, labels: [String: String]? = nil, taskTemplate: EngineTaskSpec? = nil,
        mode: EngineServiceMode? = nil, updateConfig: EngineUpdateConfig? = nil,
        rollbackConfig: EngineUpdateConfig? = nil, networks: [EngineNetworkAttachmentConfig]? = nil,
        endpointSpec: EngineEndpointSpec? = nil
    ) {
        self.name = name
        self.labels = labels
        self.taskTemplate = taskTemplate
        self.mode = mode
        self.updateConfig = updateConfig
        self.rollbackConfig = rollbackConfig
        self.networks = networks
        self.endpointSpec = endpointSpec
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", labels = "Labels", taskTemplate = "TaskTemplate", mode = "Mode"
        case updateConfig = "UpdateConfig", rollbackConfig = "RollbackConfig", networks = "Networks"
        case endpointSpec = "EndpointSpec"
    }
}

/// Docker's swarm.ServiceMode: exactly one member set.
public struct EngineServiceMode: Codable, Sendable, Equatable {
    public struct Replicated: Codable, Sendable, Equatable {
        public var replicas: UInt64?
        public init(replicas: UInt64? = nil) { self.replicas = replicas }
        enum CodingKeys: String, CodingKey { case replicas = "Replicas" }
    }

    public struct ReplicatedJob: Codable, Sendable, Equatable {
        public var maxConcurrent: UInt64?
        public var totalCompletions: UInt64?
        public init(maxConcurrent: UInt64? = nil, totalCompletions: UInt64? = nil) {
            self.maxConcurrent = maxConcurrent
            self.totalCompletions = totalCompletions
        }
        enum CodingKeys: String, CodingKey {
            case maxConcurrent = "MaxConcurrent", totalCompletions = "TotalCompletions"
        }
    }

    /// Global and GlobalJob carry no settings: `{}` in JSON.
    public struct Empty: Codable, Sendable, Equatable {
        public init() {}
    }

    public var replicated: Replicated?
    public var global: Empty?
    public var replicatedJob: ReplicatedJob?
    public var globalJob: Empty?

    public init(
        replicated: Replicated? = nil, global: Empty? = nil, replicatedJob: ReplicatedJob? = nil,
        globalJob: Empty? = nil
    ) {
        self.replicated = replicated
        self.global = global
        self.replicatedJob = replicatedJob
        self.globalJob = globalJob
    }

    enum CodingKeys: String, CodingKey {
        case replicated = "Replicated", global = "Global", replicatedJob = "ReplicatedJob", globalJob = "GlobalJob"
    }
}

/// Docker's swarm.UpdateConfig (also used for RollbackConfig). Durations in nanoseconds.
public struct EngineUpdateConfig: Codable, Sendable, Equatable {
    public var parallelism: UInt64?
    public var delay: Int64?
    /// "pause", "continue" or "rollback".
    public var failureAction: String?
    public var monitor: Int64?
    public var maxFailureRatio: Float?
    /// "stop-first" or "start-first".
    public var order: String?

    public init(
        parallelism: UInt64? = nil, delay: Int64? = nil, failureAction: String? = nil, monitor: Int64? = nil,
        maxFailureRatio: Float? = nil, order: String? = nil
    ) {
        self.parallelism = parallelism
        self.delay = delay
        self.failureAction = failureAction
        self.monitor = monitor
        self.maxFailureRatio = maxFailureRatio
        self.order = order
    }

    enum CodingKeys: String, CodingKey {
        case parallelism = "Parallelism", delay = "Delay", failureAction = "FailureAction", monitor = "Monitor"
        case maxFailureRatio = "MaxFailureRatio", order = "Order"
    }
}

extension EngineServiceSpec: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.name, name)
            try json.member(CodingKeys.labels, labels)
            try json.member(CodingKeys.taskTemplate, taskTemplate)
            try json.member(CodingKeys.mode, mode)
            try json.member(CodingKeys.updateConfig, updateConfig)
            try json.member(CodingKeys.rollbackConfig, rollbackConfig)
            try json.member(CodingKeys.networks, networks)
            try json.member(CodingKeys.endpointSpec, endpointSpec)
        }
    }
}

extension EngineServiceMode: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.replicated, replicated)
            try json.member(CodingKeys.global, global)
            try json.member(CodingKeys.replicatedJob, replicatedJob)
            try json.member(CodingKeys.globalJob, globalJob)
        }
    }
}

extension EngineServiceMode.Replicated: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.replicas, replicas)
        }
    }
}

extension EngineServiceMode.ReplicatedJob: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.maxConcurrent, maxConcurrent)
            try json.member(CodingKeys.totalCompletions, totalCompletions)
        }
    }
}

extension EngineServiceMode.Empty: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) {
        json.object { _ in }
    }
}

extension EngineUpdateConfig: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.parallelism, parallelism)
            try json.member(CodingKeys.delay, delay)
            try json.member(CodingKeys.failureAction, failureAction)
            try json.member(CodingKeys.monitor, monitor)
            try json.member(CodingKeys.maxFailureRatio, maxFailureRatio)
            try json.member(CodingKeys.order, order)
        }
    }
}
