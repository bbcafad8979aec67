import StreamingJSON
import SwarmProto

/// Docker's swarm.TaskSpec. PluginSpec is not modelled: a plugin service's runtime survives
/// updates through the `base` merge as long as Runtime stays "plugin".
public struct EngineTaskSpec: Codable, Sendable, Equatable {
    public var containerSpec: EngineContainerSpec?
    /// Only on network-attachment tasks, never on services.
    public var networkAttachmentSpec: NetworkAttachmentSpec?
    public var resources: EngineResourceRequirements?
    public var restartPolicy: EngineRestartPolicy?
    public var placement: EnginePlacement?
    public var networks: [EngineNetworkAttachmentConfig]?
    public var logDriver: EngineDriver?
    /// Docker always writes it, 0 included.
    public var forceUpdate: UInt64?
    /// "container", "plugin" or "attachment".
    public var runtime: String?

    public struct NetworkAttachmentSpec: Codable, Sendable, Equatable {
        public var containerID: String?
        public init(containerID: String? = nil) { self.containerID = containerID }
        enum CodingKeys: String, CodingKey { case containerID = "ContainerID" }
    }

    public init(
        containerSpec: EngineContainerSpec? = nil, networkAttachmentSpec: NetworkAttachmentSpec? = nil,
        resources: EngineResourceRequirements? = nil, restartPolicy: EngineRestartPolicy? = nil,
        placement: EnginePlacement? = nil, networks: [EngineNetworkAttachmentConfig]? = nil,
        logDriver: EngineDriver? = nil, forceUpdate: UInt64? = nil, runtime: String? = nil
    ) {
        self.containerSpec = containerSpec
        self.networkAttachmentSpec = networkAttachmentSpec
        self.resources = resources
        self.restartPolicy = restartPolicy
        self.placement = placement
        self.networks = networks
        self.logDriver = logDriver
        self.forceUpdate = forceUpdate
        self.runtime = runtime
    }

    enum CodingKeys: String, CodingKey {
        case containerSpec = "ContainerSpec", networkAttachmentSpec = "NetworkAttachmentSpec"
        case resources = "Resources", restartPolicy = "RestartPolicy", placement = "Placement"
        case networks = "Networks", logDriver = "LogDriver", forceUpdate = "ForceUpdate", runtime = "Runtime"
    }
}

/// Docker's swarm.NetworkAttachmentConfig.
public struct EngineNetworkAttachmentConfig: Codable, Sendable, Equatable {
    public var target: String?
    public var aliases: [String]?
    public var driverOpts: [String: String]?

    public init(target: String? = nil, aliases: [String]? = nil, driverOpts: [String: String]? = nil) {
        self.target = target
        self.aliases = aliases
        self.driverOpts = driverOpts
    }

    enum CodingKeys: String, CodingKey {
        case target = "Target", aliases = "Aliases", driverOpts = "DriverOpts"
    }
}

/// Docker's swarm.RestartPolicy. Delay and Window in nanoseconds.
public struct EngineRestartPolicy: Codable, Sendable, Equatable {
    /// "none", "on-failure" or "any".
    public var condition: String?
    public var delay: Int64?
    public var maxAttempts: UInt64?
    public var window: Int64?

    public init(condition: String? = nil, delay: Int64? = nil, maxAttempts: UInt64? = nil, window: Int64? = nil) {
        self.condition = condition
        self.delay = delay
        self.maxAttempts = maxAttempts
        self.window = window
    }

    enum CodingKeys: String, CodingKey {
        case condition = "Condition", delay = "Delay", maxAttempts = "MaxAttempts", window = "Window"
    }
}

/// Docker's swarm.Placement.
public struct EnginePlacement: Codable, Sendable, Equatable {
    public struct Preference: Codable, Sendable, Equatable {
        public struct Spread: Codable, Sendable, Equatable {
            public var spreadDescriptor: String?
            public init(spreadDescriptor: String? = nil) { self.spreadDescriptor = spreadDescriptor }
            enum CodingKeys: String, CodingKey { case spreadDescriptor = "SpreadDescriptor" }
        }
        public var spread: Spread?
        public init(spread: Spread? = nil) { self.spread = spread }
        enum CodingKeys: String, CodingKey { case spread = "Spread" }
    }

    public var constraints: [String]?
    public var preferences: [Preference]?
    public var maxReplicas: UInt64?
    public var platforms: [EnginePlatform]?

    public init(
        constraints: [String]? = nil, preferences: [Preference]? = nil, maxReplicas: UInt64? = nil,
        platforms: [EnginePlatform]? = nil
    ) {
        self.constraints = constraints
        self.preferences = preferences
        self.maxReplicas = maxReplicas
        self.platforms = platforms
    }

    enum CodingKeys: String, CodingKey {
        case constraints = "Constraints", preferences = "Preferences", maxReplicas = "MaxReplicas"
        case platforms = "Platforms"
    }
}

/// Docker's swarm.Platform.
public struct EnginePlatform: Codable, Sendable, Equatable {
    public var architecture: String?
    public var os: String?

    public init(architecture: String? = nil, os: String? = nil) {
        self.architecture = architecture
        self.os = os
    }

    enum CodingKeys: String, CodingKey { case architecture = "Architecture", os = "OS" }
}

extension EngineTaskSpec: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.containerSpec, containerSpec)
            try json.member(CodingKeys.networkAttachmentSpec, networkAttachmentSpec)
            try json.member(CodingKeys.resources, resources)
            try json.member(CodingKeys.restartPolicy, restartPolicy)
            try json.member(CodingKeys.placement, placement)
            try json.member(CodingKeys.networks, networks)
            try json.member(CodingKeys.logDriver, logDriver)
            try json.member(CodingKeys.forceUpdate, forceUpdate)
            try json.member(CodingKeys.runtime, runtime)
        }
    }
}

extension EngineTaskSpec.NetworkAttachmentSpec: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.containerID, containerID)
        }
    }
}

extension EngineNetworkAttachmentConfig: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.target, target)
            try json.member(CodingKeys.aliases, aliases)
            try json.member(CodingKeys.driverOpts, driverOpts)
        }
    }
}

extension EngineRestartPolicy: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.condition, condition)
            try json.member(CodingKeys.delay, delay)
            try json.member(CodingKeys.maxAttempts, maxAttempts)
            try json.member(CodingKeys.window, window)
        }
    }
}

extension EnginePlacement: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.constraints, constraints)
            try json.member(CodingKeys.preferences, preferences)
            try json.member(CodingKeys.maxReplicas, maxReplicas)
            try json.member(CodingKeys.platforms, platforms)
        }
    }
}

extension EnginePlacement.Preference: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.spread, spread)
        }
    }
}

extension EnginePlacement.Preference.Spread: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.spreadDescriptor, spreadDescriptor)
        }
    }
}

extension EnginePlatform: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.architecture, architecture)
            try json.member(CodingKeys.os, os)
        }
    }
}
