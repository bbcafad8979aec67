import SwarmProto

/// Docker's network resource (`network ls`, `network inspect`): swarm-scoped, or local for
/// the engine's predefined networks Docker keeps in the swarm store.
public struct EngineNetwork: Encodable, Sendable {
    struct IPAMConfig: Encodable, Sendable {
        var subnet: String?
        var ipRange: String?
        var gateway: String?
        var auxiliaryAddresses: [String: String]?
        enum CodingKeys: String, CodingKey {
            case subnet = "Subnet", ipRange = "IPRange", gateway = "Gateway", auxiliaryAddresses = "AuxiliaryAddresses"
        }
    }
    struct IPAM: Encodable, Sendable {
        var driver: String
        var options: [String: String]?
        var config: [IPAMConfig]
        enum CodingKeys: String, CodingKey { case driver = "Driver", options = "Options", config = "Config" }

        // Docker's IPAM has no omitempty on Options: absent options are `null`, not missing.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(driver, forKey: .driver)
            if let options { try container.encode(options, forKey: .options) } else { try container.encodeNil(forKey: .options) }
            try container.encode(config, forKey: .config)
        }
    }
    struct ConfigReference: Encodable, Sendable {
        var network: String
        enum CodingKeys: String, CodingKey { case network = "Network" }
    }

    public var name: String
    public var id: String
    var created: String?
    public var scope = "swarm"
    var driver: String
    var enableIPv4 = true
    var enableIPv6: Bool
    var ipam: IPAM
    var `internal`: Bool
    var attachable: Bool
    var ingress: Bool
    var configFrom: ConfigReference
    var configOnly = false
    var containers: [String: String] = [:]
    var options: [String: String]
    var labels: [String: String]

    enum CodingKeys: String, CodingKey {
        case name = "Name", id = "Id", created = "Created", scope = "Scope", driver = "Driver"
        case enableIPv4 = "EnableIPv4", enableIPv6 = "EnableIPv6", ipam = "IPAM", `internal` = "Internal"
        case attachable = "Attachable", ingress = "Ingress", configFrom = "ConfigFrom", configOnly = "ConfigOnly"
        case containers = "Containers", options = "Options", labels = "Labels"
    }

    init(_ network: SwarmNetwork) {
        let spec = network.spec
        name = spec.annotations.name
        id = network.id
        created = network.meta.hasCreatedAt ? EngineTime.string(network.meta.createdAt) : nil
        // The allocator's driver state is what the network runs with; the spec only asks.
        let driverState = network.hasDriverState ? network.driverState : spec.driverConfig
        driver = driverState.name
        options = driverState.options
        enableIPv6 = spec.ipv6Enabled
        let ipamSource = network.hasIpam ? network.ipam : spec.ipam
        ipam = IPAM(
            driver: ipamSource.hasDriver ? ipamSource.driver.name : "default",
            options: ipamSource.driver.options.isEmpty ? nil : ipamSource.driver.options,
            config: ipamSource.configs.map {
                IPAMConfig(
                    subnet: $0.subnet.isEmpty ? nil : $0.subnet, ipRange: $0.range.isEmpty ? nil : $0.range,
                    gateway: $0.gateway.isEmpty ? nil : $0.gateway, auxiliaryAddresses: $0.reserved.isEmpty ? nil : $0.reserved)
            })
        `internal` = spec.internal
        attachable = spec.attachable
        ingress = Self.isIngress(network)
        configFrom = ConfigReference(network: spec.network)
        labels = spec.annotations.labels
        if network.isPredefined {
            scope = "local"
            // The engine's own bridge and host networks have no pools of the swarm's.
            driver = driver.isEmpty ? name : driver
        }
    }


    /// Networks created before the `ingress` flag existed are marked by a label.
    static func isIngress(_ network: SwarmNetwork) -> Bool {
        network.spec.ingress || network.spec.annotations.labels["com.docker.swarm.internal"] == "true"
    }
}
