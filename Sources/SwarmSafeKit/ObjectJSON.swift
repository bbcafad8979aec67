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
        try line(redaction.apply(object).message)
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
