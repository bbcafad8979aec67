import Foundation
import SwarmProto
import SwarmStore
import SwiftProtobuf

/// Prints `google.protobuf.Any` fields whose type swarmsafe does not know.
///
/// Protobuf's JSON mapping needs the concrete message type of an Any to print it, and
/// plugins put their own types there (network `extra`, resource payloads, generic runtime
/// payloads), so encoding would fail for the whole object. Each such Any is swapped for a
/// placeholder before encoding and the placeholder's text is then replaced by
/// `{"@type": <type URL>, "value": <base64 bytes>}`.
struct OpaqueAny {
    private(set) var replacements: [(placeholder: String, json: String)] = []

    mutating func substitute(_ object: StoreObject) -> StoreObject {
        switch object {
        case .network(var network):
            if network.hasExtra { network.extra = placeholder(for: network.extra) }
            return .network(network)
        case .resource(var resource):
            if resource.hasPayload { resource.payload = placeholder(for: resource.payload) }
            return .resource(resource)
        case .service(var service):
            if case .generic(var generic)? = service.spec.task.runtime, generic.hasPayload {
                generic.payload = placeholder(for: generic.payload)
                service.spec.task.runtime = .generic(generic)
            }
            return .service(service)
        case .task(var task):
            if case .generic(var generic)? = task.spec.runtime, generic.hasPayload {
                generic.payload = placeholder(for: generic.payload)
                task.spec.runtime = .generic(generic)
            }
            return .task(task)
        default:
            return object
        }
    }

    func finish(_ json: String) -> String {
        replacements.reduce(json) { $0.replacingOccurrences(of: $1.placeholder, with: $1.json) }
    }

    private mutating func placeholder(for any: Google_Protobuf_Any) -> Google_Protobuf_Any {
        let token = "swarmsafe-opaque-any-\(replacements.count)-\(UUID().uuidString)"
        guard let substitute = try? Google_Protobuf_Any(message: Google_Protobuf_StringValue(token)),
            let placeholderJSON = try? substitute.jsonString(),
            let json = try? JSONSerialization.data(
                withJSONObject: ["@type": any.typeURL, "value": any.value.base64EncodedString()],
                options: [.sortedKeys, .withoutEscapingSlashes])
        else { return any }
        replacements.append((placeholderJSON, String(decoding: json, as: UTF8.self)))
        return substitute
    }
}
