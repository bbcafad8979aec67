import Foundation
import SwarmManager
import SwarmProto
import SwarmStore

extension EngineAPI {
    static let secretFilters: Set<String> = ["names", "name", "id", "label"]
    static let maxSecretSize = 500 * 1024

    public func secrets(filters: EngineFilters) throws -> [EngineSecret] {
        try filters.validate(accepted: Self.secretFilters)
        return try view().secrets().filter { secret in
            let name = secret.spec.annotations.name
            return filters.matchesID(secret.id) && filters.matchesName(name)
                && filters.matchesExactly("names", name) && filters.matchesLabels(secret.spec.annotations.labels)
        }
        .sorted { $0.id < $1.id }
        .map(EngineSecret.init)
    }

    public func secret(_ reference: String) throws -> EngineSecret {
        EngineSecret(try Self.resolveSecret(reference, in: try view()))
    }

    public func createSecret(_ spec: EngineSecretSpec) throws -> String {
        let wanted = try spec.swarmSpec()
        try Self.validateName(wanted.annotations.name)
        if wanted.hasDriver {
            guard !wanted.driver.name.isEmpty else {
                throw EngineError.rpc(.badRequest, code: "InvalidArgument", "secret driver must have a name")
            }
        } else if wanted.data.isEmpty || wanted.data.count >= Self.maxSecretSize {
            throw EngineError.rpc(.badRequest, code: "InvalidArgument", "secret data must be larger than 0 and less than 500 KB")
        }
        let id = Self.newID()
        return try write { tx in
            try Self.refuseDuplicateName(wanted.annotations.name, kind: .secret, in: tx.store)
            var secret = SwarmSecret()
            secret.id = id
            secret.spec = wanted
            try tx.create(.secret(secret))
            return id
        }
    }

    /// `POST /secrets/{id}/update` (a second `docker stack deploy` sends every secret again):
    /// swarmkit changes labels only and refuses a new name or new data.
    public func updateSecret(_ reference: String, version: UInt64?, spec: EngineSecretSpec) throws {
        let current = try Self.resolveSecret(reference, in: try view())
        try Self.refuseAllButLabels(name: spec.name, data: spec.data, stored: (current.spec.annotations.name, current.spec.data))
        try write { tx in
            guard case .secret(var secret)? = tx.get(.secret, id: current.id) else { throw EngineError.notFound("secret", reference) }
            try Self.checkVersion(version, against: secret.meta)
            secret.spec.annotations.labels = spec.labels ?? [:]
            try tx.update(.secret(secret))
        }
    }

    public func removeSecret(_ reference: String) throws {
        let view = try view()
        let secret = try Self.resolveSecret(reference, in: view)
        let users = try view.services().filter { service in
            guard case .container(let container)? = service.spec.task.runtime else { return false }
            return container.secrets.contains { $0.secretID == secret.id }
        }
        try Self.refuseInUse("secret", secret.spec.annotations.name, by: users)
        try write { tx in try tx.remove(.secret, id: secret.id) }
    }

    /// swarmkit's rule for secret and config updates: a new name, or data sent and different,
    /// is refused; only labels change.
    static func refuseAllButLabels(name: String?, data: Data?, stored: (name: String, data: Data)) throws(EngineError) {
        if (name ?? "") != stored.name || (data.map { $0 != stored.data } ?? false) {
            throw EngineError.rpc(.badRequest, code: "InvalidArgument", "only updates to Labels are allowed")
        }
    }

    static func resolveSecret(_ reference: String, in view: ManagerView) throws -> SwarmSecret {
        try ObjectLookup.resolve(reference, kind: "secret", in: try view.secrets(), id: \.id, name: \.spec.annotations.name)
    }

    /// swarmkit's rule for secret and config names.
    static func validateName(_ name: String) throws(EngineError) {
        guard !name.isEmpty else { throw EngineError.rpc(.badRequest, code: "InvalidArgument", "name must be provided") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let alphanumeric = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber) }
        guard name.count <= 64, name.allSatisfy(allowed.contains),
            let first = name.first, let last = name.last, alphanumeric(first), alphanumeric(last)
        else {
            throw EngineError.rpc(
                .badRequest, code: "InvalidArgument",
                "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]")
        }
    }

    static func refuseDuplicateName(_ name: String, kind: ObjectKind, in store: ObjectStore) throws {
        let lowered = name.lowercased()
        if try store.decodedObjects(kind).contains(where: { $0.name.lowercased() == lowered }) {
            throw EngineError.rpc(.conflict, code: "AlreadyExists", "\(kind.rawValue) \(name) already exists")
        }
    }

    /// Removing a secret or config a service mounts would leave its tasks unable to start.
    static func refuseInUse(_ kind: String, _ name: String, by services: [SwarmService]) throws(EngineError) {
        guard !services.isEmpty else { return }
        let names = services.map(\.spec.annotations.name).sorted().joined(separator: ", ")
        let noun = services.count == 1 ? "service" : "services"
        throw EngineError.rpc(.badRequest, code: "InvalidArgument", "\(kind) '\(name)' is in use by the following \(noun): \(names)")
    }
}
