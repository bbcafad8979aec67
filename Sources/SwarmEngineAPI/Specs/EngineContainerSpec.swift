import StreamingJSON

/// Docker's swarm.ContainerSpec. Durations in nanoseconds. The registry auth swarmkit keeps
/// (pull_options) is not part of Docker's JSON and survives through the `base` merge.
public struct EngineContainerSpec: Codable, Sendable, Equatable {
    public var image: String?
    public var labels: [String: String]?
    public var command: [String]?
    public var args: [String]?
    public var hostname: String?
    public var env: [String]?
    public var dir: String?
    public var user: String?
    public var groups: [String]?
    public var privileges: EnginePrivileges?
    public var `init`: Bool?
    public var stopSignal: String?
    public var tty: Bool?
    public var openStdin: Bool?
    public var readOnly: Bool?
    public var mounts: [EngineMount]?
    public var stopGracePeriod: Int64?
    public var healthcheck: EngineHealthConfig?
    public var hosts: [String]?
    public var dnsConfig: EngineDNSConfig?
    public var secrets: [EngineSecretReference]?
    public var configs: [EngineConfigReference]?
    /// "default", "process" or "hyperv".
    public var isolation: String?
    public var sysctls: [String: String]?
    public var capabilityAdd: [String]?
    public var capabilityDrop: [String]?
    public var ulimits: [EngineUlimit]?
    public var oomScoreAdj: Int64?

    public init(image: String? = nil) { self.image = image }

    enum CodingKeys: String, CodingKey {
        case image = "Image", labels = "Labels", command = "Command", args = "Args", hostname = "Hostname"
        case env = "Env", dir = "Dir", user = "User", groups = "Groups", privileges = "Privileges"
        case `init` = "Init", stopSignal = "StopSignal", tty = "TTY", openStdin = "OpenStdin"
        case readOnly = "ReadOnly", mounts = "Mounts", stopGracePeriod = "StopGracePeriod"
        case healthcheck = "Healthcheck", hosts = "Hosts", dnsConfig = "DNSConfig", secrets = "Secrets"
        case configs = "Configs", isolation = "Isolation", sysctls = "Sysctls", capabilityAdd = "CapabilityAdd"
        case capabilityDrop = "CapabilityDrop", ulimits = "Ulimits", oomScoreAdj = "OomScoreAdj"
    }
}

/// Docker's container.HealthConfig. Durations in nanoseconds.
public struct EngineHealthConfig: Codable, Sendable, Equatable {
    public var test: [String]?
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int32?

    public init(
        test: [String]? = nil, interval: Int64? = nil, timeout: Int64? = nil, startPeriod: Int64? = nil,
        startInterval: Int64? = nil, retries: Int32? = nil
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
    }

    enum CodingKeys: String, CodingKey {
        case test = "Test", interval = "Interval", timeout = "Timeout", startPeriod = "StartPeriod"
        case startInterval = "StartInterval", retries = "Retries"
    }
}

/// Docker's swarm.DNSConfig.
public struct EngineDNSConfig: Codable, Sendable, Equatable {
    public var nameservers: [String]?
    public var search: [String]?
    public var options: [String]?

    public init(nameservers: [String]? = nil, search: [String]? = nil, options: [String]? = nil) {
        self.nameservers = nameservers
        self.search = search
        self.options = options
    }

    enum CodingKeys: String, CodingKey { case nameservers = "Nameservers", search = "Search", options = "Options" }
}

/// Docker's container.Ulimit.
public struct EngineUlimit: Codable, Sendable, Equatable {
    public var name: String?
    public var hard: Int64?
    public var soft: Int64?

    public init(name: String? = nil, hard: Int64? = nil, soft: Int64? = nil) {
        self.name = name
        self.hard = hard
        self.soft = soft
    }

    enum CodingKeys: String, CodingKey { case name = "Name", hard = "Hard", soft = "Soft" }
}

extension EngineContainerSpec: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.image, image)
            try json.member(CodingKeys.labels, labels)
            try json.member(CodingKeys.command, command)
            try json.member(CodingKeys.args, args)
            try json.member(CodingKeys.hostname, hostname)
            try json.member(CodingKeys.env, env)
            try json.member(CodingKeys.dir, dir)
            try json.member(CodingKeys.user, user)
            try json.member(CodingKeys.groups, groups)
            try json.member(CodingKeys.privileges, privileges)
            try json.member(CodingKeys.`init`, `init`)
            try json.member(CodingKeys.stopSignal, stopSignal)
            try json.member(CodingKeys.tty, tty)
            try json.member(CodingKeys.openStdin, openStdin)
            try json.member(CodingKeys.readOnly, readOnly)
            try json.member(CodingKeys.mounts, mounts)
            try json.member(CodingKeys.stopGracePeriod, stopGracePeriod)
            try json.member(CodingKeys.healthcheck, healthcheck)
            try json.member(CodingKeys.hosts, hosts)
            try json.member(CodingKeys.dnsConfig, dnsConfig)
            try json.member(CodingKeys.secrets, secrets)
            try json.member(CodingKeys.configs, configs)
            try json.member(CodingKeys.isolation, isolation)
            try json.member(CodingKeys.sysctls, sysctls)
            try json.member(CodingKeys.capabilityAdd, capabilityAdd)
            try json.member(CodingKeys.capabilityDrop, capabilityDrop)
            try json.member(CodingKeys.ulimits, ulimits)
            try json.member(CodingKeys.oomScoreAdj, oomScoreAdj)
        }
    }
}

extension EngineHealthConfig: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.test, test)
            try json.member(CodingKeys.interval, interval)
            try json.member(CodingKeys.timeout, timeout)
            try json.member(CodingKeys.startPeriod, startPeriod)
            try json.member(CodingKeys.startInterval, startInterval)
            try json.member(CodingKeys.retries, retries)
        }
    }
}

extension EngineDNSConfig: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.nameservers, nameservers)
            try json.member(CodingKeys.search, search)
            try json.member(CodingKeys.options, options)
        }
    }
}

extension EngineUlimit: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.name, name)
            try json.member(CodingKeys.hard, hard)
            try json.member(CodingKeys.soft, soft)
        }
    }
}
