import Foundation
import SwarmProto
import SwiftProtobuf

extension StoreObject {
    /// The object with its meta stamped as swarmkit's store stamps a proposed change: the
    /// version is the commit index the change was made against, `updated_at` is now, and
    /// `created_at` is set once.
    public func touched(version: UInt64, now: Date) -> StoreObject {
        var meta = self.meta
        meta.version.index = version
        let stamp = Google_Protobuf_Timestamp(date: now)
        if !meta.hasCreatedAt { meta.createdAt = stamp }
        meta.updatedAt = stamp
        return withMeta(meta)
    }

    public func withMeta(_ meta: SwarmMeta) -> StoreObject {
        switch self {
        case .node(var o): o.meta = meta; return .node(o)
        case .service(var o): o.meta = meta; return .service(o)
        case .task(var o): o.meta = meta; return .task(o)
        case .network(var o): o.meta = meta; return .network(o)
        case .cluster(var o): o.meta = meta; return .cluster(o)
        case .secret(var o): o.meta = meta; return .secret(o)
        case .resource(var o): o.meta = meta; return .resource(o)
        case .extension(var o): o.meta = meta; return .extension(o)
        case .config(var o): o.meta = meta; return .config(o)
        case .volume(var o): o.meta = meta; return .volume(o)
        }
    }
}
