import SwarmProto

/// Docker's swarm.NodeSpec.
public struct EngineNodeSpec: Codable, Sendable, Equatable {
    public var name: String?
    /// Docker always writes Labels, `{}` when there are none.
    public var labels: [String: String]?
    /// "worker" or "manager".
    public var role: String?
    /// "active", "pause" or "drain".
    public var availability: String?

    public init(name: String? = nil, labels: [String: String]? = nil, role: String? = nil, availability: String? = nil) {
        self.name = name
        self.labels = labels
        self.role = role
        self.availability = availability
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", labels = "Labels", role = "Role", availability = "Availability"
    }
}

extension EngineNodeSpec {
    static let roles = EngineEnumNames<SwarmNodeRole>(field: "Role", pairs: [("worker", .worker), ("manager", .manager)])
    static let availabilities = EngineEnumNames<SwarmNodeSpec.Availability>(
        field: "Availability", pairs: [("active", .active), ("pause", .pause), ("drain", .drain)])

    public init(_ spec: SwarmNodeSpec) {
        self.init(
            name: spec.annotations.name.isEmpty ? nil : spec.annotations.name,
            labels: spec.annotations.labels,
            role: Self.roles.name(spec.desiredRole),
            availability: Self.availabilities.name(spec.availability)
        )
    }

    /// Membership and the annotation indices are swarmkit's own and come from `base`. Docker
    /// refuses an empty Role or Availability; here a missing one keeps the stored value.
    public func swarmSpec(base: SwarmNodeSpec) throws(SpecConversionError) -> SwarmNodeSpec {
        var out = base
        out.annotations.name = name ?? ""
        out.annotations.labels = labels ?? [:]
        out.desiredRole = try Self.roles.value(role, empty: base.desiredRole)
        out.availability = try Self.availabilities.value(availability, empty: base.availability)
        return out
    }
}
