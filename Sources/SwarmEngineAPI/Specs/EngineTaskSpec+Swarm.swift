import SwarmProto

extension EngineTaskSpec {
    public init(_ spec: SwarmTaskSpec) {
        self.init(
            resources: EngineResourceRequirements(spec),
            restartPolicy: spec.hasRestart ? EngineRestartPolicy(spec.restart) : nil,
            placement: spec.hasPlacement ? EnginePlacement(spec.placement) : nil,
            networks: spec.networks.isEmpty ? nil : spec.networks.map(EngineNetworkAttachmentConfig.init),
            logDriver: spec.hasLogDriver ? EngineDriver(spec.logDriver) : nil,
            forceUpdate: spec.forceUpdate
        )
        switch spec.runtime {
        case .container(let c)?:
            containerSpec = EngineContainerSpec(c)
            runtime = "container"
        case .generic(let g)?:
            // Docker names the runtime by the generic spec's kind ("plugin").
            runtime = g.kind.isEmpty ? nil : g.kind
        case .attachment(let a)?:
            networkAttachmentSpec = NetworkAttachmentSpec(containerID: a.containerID)
            runtime = "attachment"
        case nil:
            break
        }
    }

    func swarmTaskSpec(base: SwarmTaskSpec?) throws(SpecConversionError) -> SwarmTaskSpec {
        var out = base ?? SwarmTaskSpec()
        switch runtime ?? "" {
        case "", "container":
            guard let containerSpec else { throw .invalid("mismatched Runtime and *Spec fields") }
            var baseContainer: SwarmContainerSpec? = nil
            if case .container(let c)? = base?.runtime { baseContainer = c }
            var container = try containerSpec.swarm(base: baseContainer)
            // Docker keeps the pids limit in Resources.Limits; swarmkit keeps it on the container.
            container.pidsLimit = resources?.limits?.pids ?? 0
            out.runtime = .container(container)
        case "plugin":
            guard case .generic(let g)? = base?.runtime, g.kind == "plugin" else {
                throw .invalid("unsupported runtime")
            }
            out.runtime = .generic(g)
        default:
            throw .invalid("unsupported runtime")
        }

        if let resources, !resources.isOnlyPids || base?.hasResources == true {
            out.resources = try resources.swarm(base: base?.hasResources == true ? base?.resources : nil)
        } else {
            out.clearResources()
        }
        if let restartPolicy {
            out.restart = try restartPolicy.swarm(base: base?.hasRestart == true ? base?.restart : nil)
        } else {
            out.clearRestart()
        }
        if let placement {
            out.placement = placement.swarm(base: base?.hasPlacement == true ? base?.placement : nil)
        } else {
            out.clearPlacement()
        }
        out.networks = EngineNetworkAttachmentConfig.swarm(networks ?? [], base: base?.networks ?? [])
        if let logDriver {
            out.logDriver = logDriver.swarm(base: base?.hasLogDriver == true ? base?.logDriver : nil)
        } else {
            out.clearLogDriver()
        }
        out.forceUpdate = forceUpdate ?? 0
        return out
    }
}

extension EngineResourceRequirements {
    /// What Docker shows for a task spec with a pids limit but no swarmkit Resources.
    var isOnlyPids: Bool {
        reservations == nil && swapBytes == nil && memorySwappiness == nil
            && limits?.nanoCPUs == nil && limits?.memoryBytes == nil && limits?.pids != nil
    }
}

extension EngineNetworkAttachmentConfig {
    init(_ n: SwarmNetworkAttachmentConfig) {
        self.init(
            target: n.target.isEmpty ? nil : n.target,
            aliases: n.aliases.isEmpty ? nil : n.aliases,
            driverOpts: n.driverAttachmentOpts.isEmpty ? nil : n.driverAttachmentOpts
        )
    }

    /// Addresses are not in Docker's JSON: they are kept from the stored attachment to the same target.
    static func swarm(_ list: [EngineNetworkAttachmentConfig], base: [SwarmNetworkAttachmentConfig])
        -> [SwarmNetworkAttachmentConfig]
    {
        list.map { n in
            var out = base.first { $0.target == (n.target ?? "") } ?? SwarmNetworkAttachmentConfig()
            out.target = n.target ?? ""
            out.aliases = n.aliases ?? []
            out.driverAttachmentOpts = n.driverOpts ?? [:]
            return out
        }
    }
}

extension EngineRestartPolicy {
    static let conditions = EngineEnumNames<SwarmRestartPolicy.RestartCondition>(
        field: "RestartCondition", pairs: [("none", .none), ("on-failure", .onFailure), ("any", .any)])

    init(_ p: SwarmRestartPolicy) {
        self.init(
            condition: Self.conditions.name(p.condition) ?? "any",
            delay: p.hasDelay ? EngineDuration.nanoseconds(p.delay) : nil,
            maxAttempts: p.maxAttempts,
            window: p.hasWindow ? EngineDuration.nanoseconds(p.window) : nil
        )
    }

    func swarm(base: SwarmRestartPolicy?) throws(SpecConversionError) -> SwarmRestartPolicy {
        var out = base ?? SwarmRestartPolicy()
        out.condition = try Self.conditions.value(condition, empty: .any)
        if let delay {
            guard delay >= 0 else { throw .invalid("TaskSpec: restart-delay cannot be negative") }
            out.delay = EngineDuration.proto(delay)
        } else {
            out.clearDelay()
        }
        if let window {
            guard window >= 0 else { throw .invalid("TaskSpec: restart-window cannot be negative") }
            out.window = EngineDuration.proto(window)
        } else {
            out.clearWindow()
        }
        out.maxAttempts = maxAttempts ?? 0
        return out
    }
}

extension EnginePlacement {
    init(_ p: SwarmPlacement) {
        self.init(
            constraints: p.constraints.isEmpty ? nil : p.constraints,
            preferences: p.preferences.isEmpty
                ? nil
                : p.preferences.compactMap { pref in
                    guard case .spread(let s)? = pref.preference else { return nil }
                    return Preference(spread: .init(spreadDescriptor: s.spreadDescriptor))
                },
            maxReplicas: p.maxReplicas.nonZero,
            platforms: p.platforms.isEmpty
                ? nil
                : p.platforms.map {
                    EnginePlatform(architecture: $0.architecture.isEmpty ? nil : $0.architecture, os: $0.os.isEmpty ? nil : $0.os)
                }
        )
    }

    func swarm(base: SwarmPlacement?) -> SwarmPlacement {
        var out = base ?? SwarmPlacement()
        out.constraints = constraints ?? []
        out.preferences = (preferences ?? []).compactMap { pref in
            guard let spread = pref.spread else { return nil }
            var s = SwarmSpreadOver()
            s.spreadDescriptor = spread.spreadDescriptor ?? ""
            var p = SwarmPlacementPreference()
            p.preference = .spread(s)
            return p
        }
        out.maxReplicas = maxReplicas ?? 0
        out.platforms = (platforms ?? []).map {
            var p = SwarmPlatform()
            p.architecture = $0.architecture ?? ""
            p.os = $0.os ?? ""
            return p
        }
        return out
    }
}
