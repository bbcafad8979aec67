import StreamingJSON
import SwarmProto
import SwiftProtobuf

/// `Version: {"Index": N}`: what an update must quote back as `?version=N`.
public struct EngineObjectVersion: Codable, Sendable, Equatable {
    public var index: UInt64

    public init(index: UInt64) {
        self.index = index
    }

    enum CodingKeys: String, CodingKey {
        case index = "Index"
    }
}

/// The version and timestamps every stored object carries, as the Engine API spells them.
struct ObjectMeta {
    let version: EngineObjectVersion
    let createdAt: String?
    let updatedAt: String?

    init(_ meta: SwarmMeta) {
        version = EngineObjectVersion(index: meta.version.index)
        createdAt = meta.hasCreatedAt ? EngineTime.string(meta.createdAt) : nil
        updatedAt = meta.hasUpdatedAt ? EngineTime.string(meta.updatedAt) : nil
    }
}

/// Swift's enum case names are swarmkit's, camel-cased; the Engine API writes them lower-case
/// with no separators ("onfailure" is not used by any enum printed here).
func engineEnum<T>(_ value: T) -> String {
    String(describing: value).lowercased()
}

extension EngineObjectVersion: JSONWritable {
    public func writeJSON(to json: inout JSONWriter) throws {
        try json.object { json in
            try json.member(CodingKeys.index, index)
        }
    }
}
