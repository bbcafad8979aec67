import Foundation
import SwarmProto
import SwarmStore

/// Keeps secret material out of everything we print: secret payloads, CA private keys,
/// unlock keys, network encryption keys and join tokens.
///
/// Secret fields are `bytes`, which protobuf's JSON mapping prints as base64, so they are
/// replaced by a marker whose base64 form is then swapped for `"<redacted>"` in the text.
/// That keeps the output in the canonical mapping (same field names and order) without a
/// second JSON pass over every object.
public struct Redaction: Sendable {
    public let reveal: Bool

    public init(reveal: Bool) {
        self.reveal = reveal
    }

    static let marker = Data("\u{1}swarmsafe-redacted\u{1}".utf8)
    static let markerJSON = "\"" + marker.base64EncodedString() + "\""
    public static let placeholder = "<redacted>"

    public func apply(_ object: StoreObject) -> StoreObject {
        guard !reveal else { return object }
        switch object {
        case .secret(var secret):
            if !secret.spec.data.isEmpty { secret.spec.data = Self.marker }
            return .secret(secret)
        case .cluster(var cluster):
            redact(&cluster)
            return .cluster(cluster)
        default:
            return object
        }
    }

    private func redact(_ cluster: inout SwarmCluster) {
        if !cluster.rootCa.caKey.isEmpty { cluster.rootCa.caKey = Self.marker }
        if cluster.rootCa.hasRootRotation, !cluster.rootCa.rootRotation.caKey.isEmpty {
            cluster.rootCa.rootRotation.caKey = Self.marker
        }
        if !cluster.rootCa.joinTokens.worker.isEmpty { cluster.rootCa.joinTokens.worker = Self.placeholder }
        if !cluster.rootCa.joinTokens.manager.isEmpty { cluster.rootCa.joinTokens.manager = Self.placeholder }
        if !cluster.spec.caConfig.signingCaKey.isEmpty { cluster.spec.caConfig.signingCaKey = Self.marker }
        for i in cluster.unlockKeys.indices where !cluster.unlockKeys[i].key.isEmpty {
            cluster.unlockKeys[i].key = Self.marker
        }
        for i in cluster.networkBootstrapKeys.indices where !cluster.networkBootstrapKeys[i].key.isEmpty {
            cluster.networkBootstrapKeys[i].key = Self.marker
        }
    }

    /// Finishes JSON text produced from redacted messages.
    public func finish(_ json: String) -> String {
        guard !reveal, json.contains(Self.markerJSON) else { return json }
        return json.replacingOccurrences(of: Self.markerJSON, with: "\"\(Self.placeholder)\"")
    }
}
