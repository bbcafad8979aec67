import Foundation
import SwarmConventions
import SwiftProtobuf

/// What the operator chose for a new swarm.
public struct InitOptions: Sendable, Equatable {
    public var advertiseAddress: AdvertiseAddress
    /// Where swarm's control plane listens (`docker-state.json`'s `ListenAddr`). Docker's
    /// default host is the wildcard; the port defaults to the advertised one rather than
    /// Docker's fixed 2377, so that something listens where the manager says it is reached.
    public var listenAddress: AdvertiseAddress
    /// Encrypt the node key and DEK with a KEK; the unlock key is shown once.
    public var autolock: Bool
    /// FIPS cluster: `FIPS.` cluster ID, v2 join tokens, Fernet instead of secretbox.
    public var fips: Bool
    /// The hostname in the node description (what `docker node ls` shows).
    public var hostname: String

    public init(
        advertiseAddress: AdvertiseAddress, listenAddress: AdvertiseAddress? = nil, autolock: Bool = false, fips: Bool = false,
        hostname: String
    ) throws(InitError) {
        guard !hostname.isEmpty, hostname.utf8.count <= 255, !hostname.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw .invalidHostname(hostname)
        }
        self.advertiseAddress = advertiseAddress
        if let listenAddress {
            self.listenAddress = listenAddress
        } else {
            do throws(AddressError) {
                self.listenAddress = try AdvertiseAddress(ip: "0.0.0.0", port: advertiseAddress.port)
            } catch {
                throw .address(error)
            }
        }
        self.autolock = autolock
        self.fips = fips
        self.hostname = hostname
    }

    /// This machine's hostname, as Go's `os.Hostname` reports it.
    public static func localHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

/// When each of the new swarm's store changes happened. swarmkit stamps objects with the
/// wall clock as it goes; the steps below follow the order (and roughly the spacing) of a
/// real first start: the leader creates cluster, node and ingress network in one
/// transaction, the key manager adds network keys, the dispatcher and role manager touch
/// the node, and a moment later the node's own agent registers.
public struct InitTimeline: Sendable, Equatable {
    public var clusterCreated: Google_Protobuf_Timestamp
    public var nodeCreated: Google_Protobuf_Timestamp
    public var networkCreated: Google_Protobuf_Timestamp
    public var networkKeysAdded: Google_Protobuf_Timestamp
    public var nodeMarkedUnknown: Google_Protobuf_Timestamp
    public var nodeRoleSet: Google_Protobuf_Timestamp
    public var nodeRegistered: Google_Protobuf_Timestamp

    public init(
        clusterCreated: Google_Protobuf_Timestamp, nodeCreated: Google_Protobuf_Timestamp,
        networkCreated: Google_Protobuf_Timestamp, networkKeysAdded: Google_Protobuf_Timestamp,
        nodeMarkedUnknown: Google_Protobuf_Timestamp, nodeRoleSet: Google_Protobuf_Timestamp,
        nodeRegistered: Google_Protobuf_Timestamp
    ) {
        self.clusterCreated = clusterCreated
        self.nodeCreated = nodeCreated
        self.networkCreated = networkCreated
        self.networkKeysAdded = networkKeysAdded
        self.nodeMarkedUnknown = nodeMarkedUnknown
        self.nodeRoleSet = nodeRoleSet
        self.nodeRegistered = nodeRegistered
    }

    public static func starting(at date: Date) -> InitTimeline {
        let nanoseconds = Int64(date.timeIntervalSince1970 * 1_000_000) * 1000
        func at(_ offset: Int64) -> Google_Protobuf_Timestamp {
            let total = nanoseconds + offset
            return Google_Protobuf_Timestamp(seconds: total / 1_000_000_000, nanos: Int32(total % 1_000_000_000))
        }
        return InitTimeline(
            clusterCreated: at(0), nodeCreated: at(30_000), networkCreated: at(60_000),
            networkKeysAdded: at(600_000), nodeMarkedUnknown: at(1_400_000), nodeRoleSet: at(2_800_000),
            nodeRegistered: at(100_000_000))
    }
}
