import Foundation
import SwarmManager
import SwarmProto
import SwarmStore

extension EngineAPI {
    static let serviceFilters: Set<String> = ["name", "id", "label", "mode", "runtime"]

    public func service(_ reference: String, insertDefaults: Bool) throws -> EngineService {
        EngineService(try Self.resolveService(reference, in: try view()), insertDefaults: insertDefaults)
    }

    /// Returns the new service's ID.
    public func createService(_ spec: EngineServiceSpec, registryAuth: String?) throws -> String {
        let view = try view()
        var wanted = try spec.swarmSpec(base: nil)
        try Self.resolveNetworks(&wanted, in: view)
        if let registryAuth, !registryAuth.isEmpty, case .container(var container)? = wanted.task.runtime {
            container.pullOptions.registryAuth = registryAuth
            wanted.task.runtime = .container(container)
        }
        let id = Self.newID()
        return try write { tx in
            try Self.checkReferences(wanted, in: tx.store)
            let name = wanted.annotations.name.lowercased()
            if try tx.store.decodedObjects(.service).contains(where: { $0.name.lowercased() == name }) {
                throw EngineError.rpc(
                    .conflict, code: "AlreadyExists",
                    "name conflicts with an existing object: service \(wanted.annotations.name) already exists")
            }
            var service = SwarmService()
            service.id = id
            service.spec = wanted
            service.specVersion = SwarmVersion()
            if case .replicatedJob? = wanted.mode { service.jobStatus = Self.firstJobStatus() }
            if case .globalJob? = wanted.mode { service.jobStatus = Self.firstJobStatus() }
            try tx.create(.service(service))
            return id
        }
    }

    /// An update replaces the whole spec and keeps the one it replaces as PreviousSpec, which
    /// is what `service rollback` (rollback=previous) swaps back.
    public func updateService(
        _ reference: String, version: UInt64?, spec: EngineServiceSpec, rollback: String?, registryAuth: String?
    ) throws {
        let view = try view()
        let current = try Self.resolveService(reference, in: view)
        try Self.checkVersion(version, against: current.meta)
        let toPrevious: Bool
        switch rollback ?? "" {
        case "", "none": toPrevious = false
        case "previous": toPrevious = true
        default: throw EngineError.badRequest("unrecognized rollback option \(rollback ?? "")")
        }
        var wanted = try spec.swarmSpec(base: current.spec)
        try Self.resolveNetworks(&wanted, in: view)
        Self.carryPullOptions(into: &wanted, from: current.spec, registryAuth: registryAuth)
        if Self.modeName(wanted) != Self.modeName(current.spec) {
            throw EngineError.rpc(.notImplemented, code: "Unimplemented", "service mode change is not allowed")
        }
        if wanted.annotations.name != current.spec.annotations.name {
            throw EngineError.rpc(.notImplemented, code: "Unimplemented", "renaming services is not supported")
        }
        try write { tx in
            guard case .service(var service)? = tx.get(.service, id: current.id) else {
                throw EngineError.notFound("service", reference)
            }
            try Self.checkVersion(version, against: service.meta)
            try Self.checkReferences(wanted, in: tx.store)
            if toPrevious {
                guard service.hasPreviousSpec else {
                    throw EngineError.rpc(
                        .badRequest, code: "FailedPrecondition", "service \(service.id) does not have a previous spec")
                }
                let (spec, specVersion) = (service.spec, service.specVersion)
                service.spec = service.previousSpec
                service.specVersion = service.previousSpecVersion
                service.previousSpec = spec
                service.previousSpecVersion = specVersion
                var status = SwarmUpdateStatus()
                status.state = .rollbackStarted
                status.message = "manually requested rollback"
                status.startedAt = .init(date: Date())
                service.updateStatus = status
            } else {
                service.previousSpec = service.spec
                service.previousSpecVersion = service.specVersion
                service.spec = wanted
                // The spec is versioned by the object version it replaced, as swarmkit does;
                // tasks carrying an older spec version are out of date.
                service.specVersion = service.meta.version
                service.clearUpdateStatus()
            }
            if service.hasJobStatus {
                service.jobStatus.jobIteration.index += 1
                service.jobStatus.lastExecution = .init(date: Date())
            }
            try tx.update(.service(service))
        }
    }

    public func removeService(_ reference: String) throws {
        let current = try Self.resolveService(reference, in: try view())
        try write { tx in try tx.remove(.service, id: current.id) }
    }

    static func resolveService(_ reference: String, in view: ManagerView) throws -> SwarmService {
        try ObjectLookup.resolve(reference, kind: "service", in: try view.services(), id: \.id, name: \.spec.annotations.name)
    }

    static func modeName(_ spec: SwarmServiceSpec) -> String {
        switch spec.mode {
        case .replicated?: "replicated"
        case .global?: "global"
        case .replicatedJob?: "replicated-job"
        case .globalJob?: "global-job"
        case nil: ""
        }
    }

    static func runtimeName(_ task: SwarmTaskSpec) -> String {
        switch task.runtime {
        case .container?, nil: "container"
        case .generic(let generic)?: generic.kind
        case .attachment?: "attachment"
        }
    }

    private static func firstJobStatus() -> SwarmJobStatus {
        var status = SwarmJobStatus()
        status.jobIteration = SwarmVersion()
        status.lastExecution = .init(date: Date())
        return status
    }

    /// Clients may name networks; swarmkit stores their IDs.
    static func resolveNetworks(_ spec: inout SwarmServiceSpec, in view: ManagerView) throws {
        let networks = try view.networks()
        func resolved(_ attachments: [SwarmNetworkAttachmentConfig]) throws -> [SwarmNetworkAttachmentConfig] {
            try attachments.map { attachment in
                var attachment = attachment
                attachment.target = try ObjectLookup.resolve(
                    attachment.target, kind: "network", in: networks, id: \.id, name: \.spec.annotations.name
                ).id
                return attachment
            }
        }
        spec.task.networks = try resolved(spec.task.networks)
        spec.networks = try resolved(spec.networks)
    }

    /// Without new credentials an update keeps the ones the service was created with, so a
    /// `service scale` does not lose access to a private registry.
    static func carryPullOptions(into spec: inout SwarmServiceSpec, from current: SwarmServiceSpec, registryAuth: String?) {
        guard case .container(var container)? = spec.task.runtime else { return }
        if let registryAuth, !registryAuth.isEmpty {
            container.pullOptions.registryAuth = registryAuth
        } else if case .container(let previous)? = current.task.runtime, previous.hasPullOptions {
            container.pullOptions = previous.pullOptions
        }
        spec.task.runtime = .container(container)
    }

    /// Secrets and configs a service mounts must exist, or its tasks could never start.
    static func checkReferences(_ spec: SwarmServiceSpec, in store: ObjectStore) throws(EngineError) {
        guard case .container(let container)? = spec.task.runtime else { return }
        let missingSecrets = container.secrets.filter { !store.contains(.secret, id: $0.secretID) }.map(\.secretName)
        if !missingSecrets.isEmpty {
            let noun = missingSecrets.count == 1 ? "secret" : "secrets"
            throw EngineError.rpc(
                .badRequest, code: "InvalidArgument", "\(noun) not found: \(missingSecrets.joined(separator: ", "))")
        }
        let missingConfigs = container.configs.filter { !store.contains(.config, id: $0.configID) }.map(\.configName)
        if !missingConfigs.isEmpty {
            let noun = missingConfigs.count == 1 ? "config" : "configs"
            throw EngineError.rpc(
                .badRequest, code: "InvalidArgument", "\(noun) not found: \(missingConfigs.joined(separator: ", "))")
        }
    }
}
