import StreamingJSON
import SwarmProto

/// Docker's swarm.EndpointSpec.
public struct EngineEndpointSpec: Codable, Sendable, Equatable {
    /// "vip" or "dnsrr".
    public var mode: String?
    public var ports: [EnginePortConfig]?

    public init(mode: String? = nil, ports: [EnginePortConfig]? = nil) {
        self.mode = mode
        self.ports = ports
    }

    enum CodingKeys: String, CodingKey { case mode = "Mode", ports = "Ports" }
}

/// Docker's swarm.PortConfig.
public struct EnginePortConfig: Codable, Sendable, Equatable {
    public var name: String?
    /// "tcp", "udp" or "sctp".
    public var `protocol`: String?
    public var targetPort: UInt32?
    public var publishedPort: UInt32?
    /// "ingress" or "host".
    public var publishMode: String?

    public init(
        name: String? = nil, protocol: String? = nil, targetPort: UInt32? = nil, publishedPort: UInt32? = nil,
        publishMode: String? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.targetPort = targetPort
        self.publishedPort = publishedPort
        self.publishMode = publishMode
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", `protocol` = "Protocol", targetPort = "TargetPort", publishedPort = "PublishedPort"
        case publishMode = "PublishMode"
    }
}

/// Docker's swarm.Endpoint: what the allocator made of a service's EndpointSpec.
public struct EngineEndpoint: Codable, Sendable, Equatable {
    public struct VirtualIP: Codable, Sendable, Equatable {
        public var networkID: String?
        /// CIDR, e.g. "10.0.0.5/24".
        public var addr: String?
        public init(networkID: String? = nil, addr: String? = nil) {
            self.networkID = networkID
            self.addr = addr
        }
        enum CodingKeys: String, CodingKey { case networkID = "NetworkID", addr = "Addr" }
    }

    /// Docker always writes Spec, `{}` when the endpoint has none.
    public var spec: EngineEndpointSpec?
    public var ports: [EnginePortConfig]?
    public var virtualIPs: [VirtualIP]?

    public init(spec: EngineEndpointSpec? = nil, ports: [EnginePortConfig]? = nil, virtualIPs: [VirtualIP]? = nil) {
        self.spec = spec
        self.ports = ports
        self.virtualIPs = virtualIPs
    }

    enum CodingKeys: String, CodingKey { case spec = "Spec", ports = "Ports", virtualIPs = "VirtualIPs" }
}

extension EngineEndpoint {
    public init(_ endpoint: SwarmEndpoint) {
        self.init(
            spec: endpoint.hasSpec ? EngineEndpointSpec(endpoint.spec) : EngineEndpointSpec(),
            ports: endpoint.ports.isEmpty ? nil : endpoint.ports.map(EnginePortConfig.init),
            virtualIPs: endpoint.virtualIps.isEmpty
                ? nil
                : endpoint.virtualIps.map {
                    VirtualIP(networkID: $0.networkID.isEmpty ? nil : $0.networkID, addr: $0.addr.isEmpty ? nil : $0.addr)
                }
        )
    }
}

extension EngineEndpointSpec {
    static let modes = EngineEnumNames<SwarmEndpointSpec.ResolutionMode>(
        field: "resolution mode", pairs: [("vip", .vip), ("dnsrr", .dnsrr)])

    init(_ e: SwarmEndpointSpec) {
        self.init(mode: Self.modes.name(e.mode), ports: e.ports.isEmpty ? nil : e.ports.map(EnginePortConfig.init))
    }

    func swarm(base: SwarmEndpointSpec?) throws(SpecConversionError) -> SwarmEndpointSpec {
        var out = base ?? SwarmEndpointSpec()
        // Docker takes the mode as given (no lower-casing) before looking it up.
        if let mode, !mode.isEmpty, mode != "vip", mode != "dnsrr" {
            throw .invalidValue(field: "resolution mode", value: mode)
        }
        out.mode = Self.modes.lenientValue(mode, empty: .vip)
        out.ports = (ports ?? []).map(\.swarm)
        return out
    }
}

extension EnginePortConfig {
    static let protocols = EngineEnumNames<SwarmPortConfig.ProtocolEnum>(
        field: "Protocol", pairs: [("tcp", .tcp), ("udp", .udp), ("sctp", .sctp)])
    static let publishModes = EngineEnumNames<SwarmPortConfig.PublishMode>(
        field: "PublishMode", pairs: [("ingress", .ingress), ("host", .host)])

    init(_ p: SwarmPortConfig) {
        self.init(
            name: p.name.isEmpty ? nil : p.name,
            protocol: Self.protocols.name(p.protocol),
            targetPort: p.targetPort.nonZero,
            publishedPort: p.publishedPort.nonZero,
            publishMode: Self.publishModes.name(p.publishMode)
        )
    }

    /// Docker maps unknown protocols and publish modes to tcp and ingress without complaint.
    var swarm: SwarmPortConfig {
        var p = SwarmPortConfig()
        p.name = name ?? ""
        p.protocol = Self.protocols.lenientValue(`protocol`, empty: .tcp)
        p.targetPort = targetPort ?? 0
        p.publishedPort = publishedPort ?? 0
        p.publishMode = Self.publishModes.lenientValue(publishMode, empty: .ingress)
        return p
    }
}

extension EngineEndpointSpec: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.mode, mode)
            try json.member(CodingKeys.ports, ports)
        }
    }
}

extension EnginePortConfig: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.name, name)
            try json.member(CodingKeys.`protocol`, `protocol`)
            try json.member(CodingKeys.targetPort, targetPort)
            try json.member(CodingKeys.publishedPort, publishedPort)
            try json.member(CodingKeys.publishMode, publishMode)
        }
    }
}

extension EngineEndpoint: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.spec, spec)
            try json.member(CodingKeys.ports, ports)
            try json.member(CodingKeys.virtualIPs, virtualIPs)
        }
    }
}

extension EngineEndpoint.VirtualIP: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.networkID, networkID)
            try json.member(CodingKeys.addr, addr)
        }
    }
}
