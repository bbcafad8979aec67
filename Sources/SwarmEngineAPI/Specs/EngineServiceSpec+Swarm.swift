import SwarmProto

extension EngineServiceSpec {
    public init(_ spec: SwarmServiceSpec) {
        var template = EngineTaskSpec(spec.task)
        // Services created through API < 1.25 keep their networks on the service; Docker shows
        // them where current clients look for them.
        if (template.networks ?? []).isEmpty, !spec.networks.isEmpty {
            template.networks = spec.networks.map(EngineNetworkAttachmentConfig.init)
        }
        self.init(
            name: spec.annotations.name.isEmpty ? nil : spec.annotations.name,
            labels: spec.annotations.labels,
            taskTemplate: template,
            mode: EngineServiceMode(spec.mode),
            updateConfig: spec.hasUpdate ? EngineUpdateConfig(spec.update) : nil,
            rollbackConfig: spec.hasRollback ? EngineUpdateConfig(spec.rollback) : nil,
            endpointSpec: spec.hasEndpoint ? EngineEndpointSpec(spec.endpoint) : nil
        )
    }

    /// `base` = the stored spec on update: swarmkit fields Docker's JSON cannot express are kept from it.
    /// An empty Name stays empty: Docker invents a name there, which is the caller's business.
    public func swarmSpec(base: SwarmServiceSpec? = nil) throws(SpecConversionError) -> SwarmServiceSpec {
        var out = base ?? SwarmServiceSpec()
        out.annotations.name = name ?? ""
        out.annotations.labels = labels ?? [:]
        if let name, !name.isEmpty { try Self.validateName(name) }

        var template = taskTemplate ?? EngineTaskSpec()
        // Old clients (API < 1.25) put networks on the service; they mean the task's.
        if (template.networks ?? []).isEmpty, let legacy = networks, !legacy.isEmpty { template.networks = legacy }
        out.task = try template.swarmTaskSpec(base: base?.task)
        Self.keepLegacyNetworks(&out, base: base)

        out.mode = try (mode ?? EngineServiceMode()).swarmMode(base: base?.mode, hasBase: base != nil)
        if let updateConfig {
            out.update = try updateConfig.swarm(base: base?.hasUpdate == true ? base?.update : nil)
        } else {
            out.clearUpdate()
        }
        if let rollbackConfig {
            out.rollback = try rollbackConfig.swarm(base: base?.hasRollback == true ? base?.rollback : nil)
        } else {
            out.clearRollback()
        }
        if let endpointSpec {
            out.endpoint = try endpointSpec.swarm(base: base?.hasEndpoint == true ? base?.endpoint : nil)
        } else {
            out.clearEndpoint()
        }
        try Self.validate(out)
        return out
    }

    /// A stored spec that still keeps its networks on the service (see `init`) keeps them
    /// there while the client sends back the same list: swarmkit refuses to move them in an update.
    private static func keepLegacyNetworks(_ out: inout SwarmServiceSpec, base: SwarmServiceSpec?) {
        guard let base, base.task.networks.isEmpty, !base.networks.isEmpty else {
            out.networks = []
            return
        }
        let sent = out.task.networks.map(EngineNetworkAttachmentConfig.init)
        if sent == base.networks.map(EngineNetworkAttachmentConfig.init) {
            out.networks = base.networks
            out.task.networks = []
        } else {
            out.networks = []
        }
    }

    static func validateName(_ name: String) throws(SpecConversionError) {
        // swarmkit's rule: letters and digits, with dashes or underscores only between them
        // (stacks name their services NAMESPACE_service).
        func isAlphanumeric(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        let bytes = Array(name.utf8)
        let ok = bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        guard ok, let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            throw .invalid("name must be valid as a DNS name component")
        }
        guard name.utf8.count <= 63 else { throw .invalid("name must be 63 characters or fewer") }
    }

    /// The checks swarmkit's control API makes on a spec alone (those needing the store, such
    /// as name conflicts or unknown secrets, are the caller's).
    static func validate(_ spec: SwarmServiceSpec) throws(SpecConversionError) {
        for update in [spec.hasUpdate ? spec.update : nil, spec.hasRollback ? spec.rollback : nil].compactMap({ $0 }) {
            if update.hasDelay, EngineDuration.nanoseconds(update.delay) < 0 {
                throw .invalid("TaskSpec: update-delay cannot be negative")
            }
            if update.hasMonitor, EngineDuration.nanoseconds(update.monitor) < 0 {
                throw .invalid("TaskSpec: update-monitor cannot be negative")
            }
            if update.maxFailureRatio < 0 || update.maxFailureRatio > 1 {
                throw .invalid("TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1")
            }
        }
        switch spec.mode {
        case .replicatedJob?, .globalJob?:
            if spec.hasUpdate { throw .invalid("Jobs may not have an update config") }
        default: break
        }
        if spec.hasEndpoint {
            var published = Set<String>()
            for port in spec.endpoint.ports {
                if spec.endpoint.mode == .dnsrr, port.publishMode == .ingress {
                    throw .invalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode")
                }
                guard port.publishedPort != 0 else { continue }
                guard published.insert("\(port.publishedPort)/\(port.protocol.rawValue)").inserted else {
                    throw .invalid("EndpointSpec: duplicate published ports provided")
                }
            }
        }
    }
}

extension EngineServiceMode {
    init(_ mode: SwarmServiceSpec.OneOf_Mode?) {
        switch mode {
        case .replicated(let r)?: self.init(replicated: Replicated(replicas: r.replicas))
        case .global?: self.init(global: Empty())
        case .replicatedJob(let j)?:
            self.init(replicatedJob: ReplicatedJob(maxConcurrent: j.maxConcurrent, totalCompletions: j.totalCompletions))
        case .globalJob?: self.init(globalJob: Empty())
        case nil: self.init()
        }
    }

    func swarmMode(base: SwarmServiceSpec.OneOf_Mode?, hasBase: Bool) throws(SpecConversionError) -> SwarmServiceSpec.OneOf_Mode? {
        let count = [replicated != nil, global != nil, replicatedJob != nil, globalJob != nil].filter { $0 }.count
        guard count <= 1 else { throw .multipleModes }
        if global != nil {
            if case .global(let g)? = base { return .global(g) }
            return .global(SwarmGlobalService())
        }
        if globalJob != nil {
            if case .globalJob(let g)? = base { return .globalJob(g) }
            return .globalJob(SwarmGlobalJob())
        }
        if let replicatedJob {
            var job = SwarmReplicatedJob()
            if case .replicatedJob(let b)? = base { job = b }
            // Docker's defaults: one at a time, and as many completions as run concurrently.
            job.maxConcurrent = replicatedJob.maxConcurrent ?? 1
            job.totalCompletions = replicatedJob.totalCompletions ?? job.maxConcurrent
            return .replicatedJob(job)
        }
        // A stored spec without any mode stays that way when the client echoes it back.
        if replicated == nil, hasBase, base == nil { return nil }
        var service = SwarmReplicatedService()
        if case .replicated(let b)? = base { service = b }
        service.replicas = replicated?.replicas ?? 1
        return .replicated(service)
    }
}

extension EngineUpdateConfig {
    static let failureActions = EngineEnumNames<SwarmUpdateConfig.FailureAction>(
        field: "FailureAction", pairs: [("pause", .pause), ("continue", .continue), ("rollback", .rollback)],
        unrecognized: "unrecognized update failure action")
    static let orders = EngineEnumNames<SwarmUpdateConfig.UpdateOrder>(
        field: "Order", pairs: [("stop-first", .stopFirst), ("start-first", .startFirst)],
        unrecognized: "unrecognized update order")

    init(_ c: SwarmUpdateConfig) {
        self.init(
            parallelism: c.parallelism,
            delay: EngineDuration.nanoseconds(c.delay).nonZero,
            failureAction: Self.failureActions.name(c.failureAction),
            monitor: c.hasMonitor ? EngineDuration.nanoseconds(c.monitor) : nil,
            maxFailureRatio: c.maxFailureRatio,
            order: Self.orders.name(c.order)
        )
    }

    func swarm(base: SwarmUpdateConfig?) throws(SpecConversionError) -> SwarmUpdateConfig {
        var out = base ?? SwarmUpdateConfig()
        out.parallelism = parallelism ?? 0
        // swarmkit declares Delay non-nullable, so it is always on the wire, zero or not.
        out.delay = EngineDuration.proto(delay ?? 0)
        out.failureAction = try Self.failureActions.value(failureAction, empty: .pause)
        if let monitor = EngineDuration.merged(monitor, base: base?.hasMonitor == true ? base?.monitor : nil,
            baseKnown: base != nil, zeroPresentByDefault: false)
        {
            out.monitor = monitor
        } else {
            out.clearMonitor()
        }
        out.maxFailureRatio = maxFailureRatio ?? 0
        out.order = try Self.orders.value(order, empty: .stopFirst)
        return out
    }
}
