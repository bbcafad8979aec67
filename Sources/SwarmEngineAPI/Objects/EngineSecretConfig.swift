import SwarmProto

/// Docker's swarm.Secret. The secret's bytes never leave the manager: Docker's API has no way
/// to read them back, and neither has this one.
public struct EngineSecret: Encodable, Sendable {
    public var id: String
    var version: EngineObjectVersion
    var createdAt: String?
    var updatedAt: String?
    public var spec: EngineSecretSpec

    enum CodingKeys: String, CodingKey {
        case id = "ID", version = "Version", createdAt = "CreatedAt", updatedAt = "UpdatedAt", spec = "Spec"
    }

    init(_ secret: SwarmSecret) {
        let meta = ObjectMeta(secret.meta)
        id = secret.id
        version = meta.version
        createdAt = meta.createdAt
        updatedAt = meta.updatedAt
        spec = EngineSecretSpec(secret.spec, includeData: false)
    }
}

/// Docker's swarm.Config; unlike a secret its data is part of the answer.
public struct EngineConfig: Encodable, Sendable {
    public var id: String
    var version: EngineObjectVersion
    var createdAt: String?
    var updatedAt: String?
    public var spec: EngineConfigSpec

    enum CodingKeys: String, CodingKey {
        case id = "ID", version = "Version", createdAt = "CreatedAt", updatedAt = "UpdatedAt", spec = "Spec"
    }

    init(_ config: SwarmConfig) {
        let meta = ObjectMeta(config.meta)
        id = config.id
        version = meta.version
        createdAt = meta.createdAt
        updatedAt = meta.updatedAt
        spec = EngineConfigSpec(config.spec)
    }
}
