import SwarmProto

/// The body of `POST /networks/create` (Docker's NetworkCreateRequest), as far as a swarm
/// network uses it. Container-only fields (`CheckDuplicate`, `ConfigOnly` of local networks)
/// are read so that they can be refused or ignored by name, never silently misread.
public struct EngineNetworkCreate: Decodable, Sendable, Equatable {
    public struct IPAMConfig: Decodable, Sendable, Equatable {
        public var subnet: String?
        public var ipRange: String?
        public var gateway: String?
        public var auxiliaryAddresses: [String: String]?
        enum CodingKeys: String, CodingKey {
            case subnet = "Subnet", ipRange = "IPRange", gateway = "Gateway", auxiliaryAddresses = "AuxiliaryAddresses"
        }
    }
    public struct IPAM: Decodable, Sendable, Equatable {
        public var driver: String?
        public var options: [String: String]?
        public var config: [IPAMConfig]?
        enum CodingKeys: String, CodingKey { case driver = "Driver", options = "Options", config = "Config" }
    }
    public struct ConfigReference: Decodable, Sendable, Equatable {
        public var network: String
        enum CodingKeys: String, CodingKey { case network = "Network" }
    }

    public var name: String
    public var driver: String?
    public var scope: String?
    public var enableIPv6: Bool?
    public var ipam: IPAM?
    public var `internal`: Bool?
    public var attachable: Bool?
    public var ingress: Bool?
    public var configOnly: Bool?
    public var configFrom: ConfigReference?
    public var options: [String: String]?
    public var labels: [String: String]?

    enum CodingKeys: String, CodingKey {
        case name = "Name", driver = "Driver", scope = "Scope", enableIPv6 = "EnableIPv6", ipam = "IPAM"
        case `internal` = "Internal", attachable = "Attachable", ingress = "Ingress", configOnly = "ConfigOnly"
        case configFrom = "ConfigFrom", options = "Options", labels = "Labels"
    }

    /// Drivers whose networks span the swarm. Any other driver makes a network local to one
    /// engine, which a manager without an engine cannot hold — unless the client asks for
    /// swarm scope explicitly (a macvlan network made from a config network, say).
    static let swarmDrivers: Set<String> = ["overlay"]

    /// Whether Docker would hand this request to the swarm rather than to its local engine.
    public var isSwarmScoped: Bool {
        scope == "swarm" || Self.swarmDrivers.contains(driver ?? "")
    }

    /// The spec Docker's daemon hands swarmkit: the driver and its options, the IPAM driver
    /// ("default" when unnamed) with each requested pool, labels and flags as sent.
    public func swarmSpec() -> SwarmNetworkSpec {
        var spec = SwarmNetworkSpec()
        spec.annotations.name = name
        spec.annotations.labels = labels ?? [:]
        var driverConfig = SwarmDriver()
        driverConfig.name = driver ?? ""
        driverConfig.options = options ?? [:]
        spec.driverConfig = driverConfig
        spec.ipv6Enabled = enableIPv6 ?? false
        spec.internal = `internal` ?? false
        spec.attachable = attachable ?? false
        spec.ingress = ingress ?? false
        if let ipam {
            var options = SwarmIPAMOptions()
            var ipamDriver = SwarmDriver()
            ipamDriver.name = (ipam.driver ?? "").isEmpty ? "default" : ipam.driver ?? "default"
            ipamDriver.options = ipam.options ?? [:]
            options.driver = ipamDriver
            options.configs = (ipam.config ?? []).map { pool in
                var config = SwarmIPAMConfig()
                config.subnet = pool.subnet ?? ""
                config.range = pool.ipRange ?? ""
                config.gateway = pool.gateway ?? ""
                config.reserved = pool.auxiliaryAddresses ?? [:]
                return config
            }
            spec.ipam = options
        }
        if let configFrom, !configFrom.network.isEmpty { spec.network = configFrom.network }
        return spec
    }
}
