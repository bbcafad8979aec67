import Foundation
import SwarmManager
import SwarmProto

extension EngineAPI {
    static let configFilters: Set<String> = ["name", "id", "label"]
    static let maxConfigSize = 1000 * 1024

    public func configs(filters: EngineFilters) throws -> [EngineConfig] {
        try filters.validate(accepted: Self.configFilters)
        return try view().configs().filter { config in
            filters.matchesID(config.id) && filters.matchesName(config.spec.annotations.name)
                && filters.matchesLabels(config.spec.annotations.labels)
        }
        .sorted { $0.id < $1.id }
        .map(EngineConfig.init)
    }

    public func config(_ reference: String) throws -> EngineConfig {
        EngineConfig(try Self.resolveConfig(reference, in: try view()))
    }

    public func createConfig(_ spec: EngineConfigSpec) throws -> String {
        let wanted = try spec.swarmSpec()
        try Self.validateName(wanted.annotations.name)
        guard !wanted.data.isEmpty, wanted.data.count < Self.maxConfigSize else {
            throw EngineError.rpc(
                .badRequest, code: "InvalidArgument",
                "config data must be larger than 0 and less than \(Self.maxConfigSize) bytes")
        }
        let id = Self.newID()
        return try write { tx in
            try Self.refuseDuplicateName(wanted.annotations.name, kind: .config, in: tx.store)
            var config = SwarmConfig()
            config.id = id
            config.spec = wanted
            try tx.create(.config(config))
            return id
        }
    }

    /// `POST /configs/{id}/update`: labels only, as for secrets.
    public func updateConfig(_ reference: String, version: UInt64?, spec: EngineConfigSpec) throws {
        let current = try Self.resolveConfig(reference, in: try view())
        try Self.refuseAllButLabels(name: spec.name, data: spec.data, stored: (current.spec.annotations.name, current.spec.data))
        try write { tx in
            guard case .config(var config)? = tx.get(.config, id: current.id) else { throw EngineError.notFound("config", reference) }
            try Self.checkVersion(version, against: config.meta)
            config.spec.annotations.labels = spec.labels ?? [:]
            try tx.update(.config(config))
        }
    }

    public func removeConfig(_ reference: String) throws {
        let view = try view()
        let config = try Self.resolveConfig(reference, in: view)
        let users = try view.services().filter { service in
            guard case .container(let container)? = service.spec.task.runtime else { return false }
            return container.configs.contains { $0.configID == config.id }
        }
        try Self.refuseInUse("config", config.spec.annotations.name, by: users)
        try write { tx in try tx.remove(.config, id: config.id) }
    }

    static func resolveConfig(_ reference: String, in view: ManagerView) throws -> SwarmConfig {
        try ObjectLookup.resolve(reference, kind: "config", in: try view.configs(), id: \.id, name: \.spec.annotations.name)
    }
}
