import StreamingJSON
import SwarmProto
import SwiftProtobuf

/// Docker's swarm.ResourceRequirements. Limits.Pids is swarmkit's ContainerSpec.pidsLimit.
public struct EngineResourceRequirements: Codable, Sendable, Equatable {
    public var limits: Limit?
    public var reservations: Resources?
    public var swapBytes: Int64?
    public var memorySwappiness: Int64?

    public struct Limit: Codable, Sendable, Equatable {
        public var nanoCPUs: Int64?
        public var memoryBytes: Int64?
        public var pids: Int64?
        public init(nanoCPUs: Int64? = nil, memoryBytes: Int64? = nil, pids: Int64? = nil) {
            self.nanoCPUs = nanoCPUs
            self.memoryBytes = memoryBytes
            self.pids = pids
        }
        enum CodingKeys: String, CodingKey { case nanoCPUs = "NanoCPUs", memoryBytes = "MemoryBytes", pids = "Pids" }
    }

    public struct Resources: Codable, Sendable, Equatable {
        public var nanoCPUs: Int64?
        public var memoryBytes: Int64?
        public var genericResources: [GenericResource]?
        public init(nanoCPUs: Int64? = nil, memoryBytes: Int64? = nil, genericResources: [GenericResource]? = nil) {
            self.nanoCPUs = nanoCPUs
            self.memoryBytes = memoryBytes
            self.genericResources = genericResources
        }
        enum CodingKeys: String, CodingKey {
            case nanoCPUs = "NanoCPUs", memoryBytes = "MemoryBytes", genericResources = "GenericResources"
        }
    }

    public struct GenericResource: Codable, Sendable, Equatable {
        public struct Named: Codable, Sendable, Equatable {
            public var kind: String?
            public var value: String?
            public init(kind: String? = nil, value: String? = nil) { self.kind = kind; self.value = value }
            enum CodingKeys: String, CodingKey { case kind = "Kind", value = "Value" }
        }
        public struct Discrete: Codable, Sendable, Equatable {
            public var kind: String?
            public var value: Int64?
            public init(kind: String? = nil, value: Int64? = nil) { self.kind = kind; self.value = value }
            enum CodingKeys: String, CodingKey { case kind = "Kind", value = "Value" }
        }
        public var namedResourceSpec: Named?
        public var discreteResourceSpec: Discrete?
        public init(namedResourceSpec: Named? = nil, discreteResourceSpec: Discrete? = nil) {
            self.namedResourceSpec = namedResourceSpec
            self.discreteResourceSpec = discreteResourceSpec
        }
        enum CodingKeys: String, CodingKey {
            case namedResourceSpec = "NamedResourceSpec", discreteResourceSpec = "DiscreteResourceSpec"
        }
    }

    public init(limits: Limit? = nil, reservations: Resources? = nil, swapBytes: Int64? = nil, memorySwappiness: Int64? = nil) {
        self.limits = limits
        self.reservations = reservations
        self.swapBytes = swapBytes
        self.memorySwappiness = memorySwappiness
    }

    enum CodingKeys: String, CodingKey {
        case limits = "Limits", reservations = "Reservations", swapBytes = "SwapBytes"
        case memorySwappiness = "MemorySwappiness"
    }
}

extension EngineResourceRequirements {
    /// Docker reads the pids limit from the container spec, so a task spec with only that
    /// still shows Resources.
    init?(_ task: SwarmTaskSpec) {
        let pids: Int64 = if case .container(let c)? = task.runtime { c.pidsLimit } else { 0 }
        guard task.hasResources || pids != 0 else { return nil }
        self.init()
        if pids != 0 { limits = Limit(pids: pids) }
        guard task.hasResources else { return }
        let r = task.resources
        if r.hasLimits {
            var l = limits ?? Limit()
            l.nanoCPUs = r.limits.nanoCpus.nonZero
            l.memoryBytes = r.limits.memoryBytes.nonZero
            limits = l
        }
        if r.hasReservations {
            reservations = Resources(
                nanoCPUs: r.reservations.nanoCpus.nonZero,
                memoryBytes: r.reservations.memoryBytes.nonZero,
                genericResources: r.reservations.generic.isEmpty ? nil : r.reservations.generic.map(GenericResource.init)
            )
        }
        swapBytes = r.hasSwapBytes ? r.swapBytes.value : nil
        memorySwappiness = r.hasMemorySwappiness ? r.memorySwappiness.value : nil
    }

    /// Limits.Pids is not part of the result: it belongs to the container spec.
    func swarm(base: SwarmResourceRequirements?) throws(SpecConversionError) -> SwarmResourceRequirements {
        var out = base ?? SwarmResourceRequirements()
        if let limits {
            var l = out.hasLimits ? out.limits : SwarmResources()
            l.nanoCpus = limits.nanoCPUs ?? 0
            l.memoryBytes = limits.memoryBytes ?? 0
            // Limits carry no generic resources in Docker's API.
            l.generic = []
            out.limits = l
        } else {
            out.clearLimits()
        }
        if let reservations {
            var r = out.hasReservations ? out.reservations : SwarmResources()
            r.nanoCpus = reservations.nanoCPUs ?? 0
            r.memoryBytes = reservations.memoryBytes ?? 0
            r.generic = (reservations.genericResources ?? []).compactMap { $0.swarm() }
            out.reservations = r
        } else {
            out.clearReservations()
        }
        if let swapBytes { out.swapBytes = Google_Protobuf_Int64Value(swapBytes) } else { out.clearSwapBytes() }
        if let memorySwappiness {
            out.memorySwappiness = Google_Protobuf_Int64Value(memorySwappiness)
        } else {
            out.clearMemorySwappiness()
        }
        if out.hasSwapBytes, !out.hasLimits || out.limits.memoryBytes == 0 {
            throw .invalid("memory swap provided, but no memory-limit was set")
        }
        for resources in [out.hasLimits ? out.limits : nil, out.hasReservations ? out.reservations : nil].compactMap({ $0 }) {
            if resources.nanoCpus != 0, resources.nanoCpus < 1_000_000 {
                throw .invalid("invalid cpu value \(Double(resources.nanoCpus) / 1e9): Must be at least 0.001")
            }
            if resources.memoryBytes != 0, resources.memoryBytes < 4 * 1024 * 1024 {
                throw .invalid("invalid memory value \(resources.memoryBytes): Must be at least 4MiB")
            }
        }
        return out
    }
}

extension EngineResourceRequirements.GenericResource {
    init(_ g: SwarmGenericResource) {
        switch g.resource {
        case .namedResourceSpec(let n)?: self.init(namedResourceSpec: Named(kind: n.kind, value: n.value))
        case .discreteResourceSpec(let d)?: self.init(discreteResourceSpec: Discrete(kind: d.kind, value: d.value))
        case nil: self.init()
        }
    }

    func swarm() -> SwarmGenericResource? {
        var out = SwarmGenericResource()
        if let d = discreteResourceSpec {
            var spec = SwarmDiscreteGenericResource()
            spec.kind = d.kind ?? ""
            spec.value = d.value ?? 0
            out.resource = .discreteResourceSpec(spec)
        } else if let n = namedResourceSpec {
            var spec = SwarmNamedGenericResource()
            spec.kind = n.kind ?? ""
            spec.value = n.value ?? ""
            out.resource = .namedResourceSpec(spec)
        } else {
            return nil
        }
        return out
    }
}

extension BinaryInteger {
    /// Docker's `omitempty`: zero is not written.
    var nonZero: Self? { self == 0 ? nil : self }
}

extension EngineResourceRequirements: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.limits, limits)
            try json.member(CodingKeys.reservations, reservations)
            try json.member(CodingKeys.swapBytes, swapBytes)
            try json.member(CodingKeys.memorySwappiness, memorySwappiness)
        }
    }
}

extension EngineResourceRequirements.Limit: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.nanoCPUs, nanoCPUs)
            try json.member(CodingKeys.memoryBytes, memoryBytes)
            try json.member(CodingKeys.pids, pids)
        }
    }
}

extension EngineResourceRequirements.Resources: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.nanoCPUs, nanoCPUs)
            try json.member(CodingKeys.memoryBytes, memoryBytes)
            try json.member(CodingKeys.genericResources, genericResources)
        }
    }
}

extension EngineResourceRequirements.GenericResource: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.namedResourceSpec, namedResourceSpec)
            try json.member(CodingKeys.discreteResourceSpec, discreteResourceSpec)
        }
    }
}

extension EngineResourceRequirements.GenericResource.Named: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.kind, kind)
            try json.member(CodingKeys.value, value)
        }
    }
}

extension EngineResourceRequirements.GenericResource.Discrete: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.kind, kind)
            try json.member(CodingKeys.value, value)
        }
    }
}
