import Foundation
import SwarmProto
import SwarmStore
import SwiftProtobuf

/// Protobuf's canonical JSON mapping of store objects, one line each.
public struct ObjectJSON: Sendable {
    public let redaction: Redaction

    public init(redaction: Redaction) {
        self.redaction = redaction
    }

    public func line(_ object: StoreObject) throws -> String {
        var opaque = OpaqueAny()
        let prepared = opaque.substitute(redaction.apply(object))
        return opaque.finish(try line(prepared.message))
    }

    /// A raft request, each action's object prepared as `line(_: StoreObject)` does.
    public func line(_ request: SwarmInternalRaftRequest) throws -> String {
        var opaque = OpaqueAny()
        var prepared = request
        for i in prepared.action.indices {
            if let target = prepared.action[i].target {
                prepared.action[i].target = opaque.substitute(redaction.apply(target))
            }
        }
        return opaque.finish(try line(prepared as any SwiftProtobuf.Message))
    }

    public func line(_ message: any SwiftProtobuf.Message) throws -> String {
        redaction.finish(try message.jsonString(options: Self.options))
    }

    /// Map fields (labels, driver options) print in key order, so two dumps of the same state
    /// are identical and diffable.
    static let options: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.useDeterministicOrdering = true
        return options
    }()
}
