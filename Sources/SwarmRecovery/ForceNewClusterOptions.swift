import Foundation
import SwarmConventions

/// What an operator can ask of a recovery beyond swarmkit's own `--force-new-cluster`.
public struct ForceNewClusterOptions: Sendable, Equatable {
    /// The address this manager is reached at from now on (a move to a new host).
    public var advertiseAddress: RequestedAddress?
    /// Where the control plane listens after the move (Docker's `ListenAddr`); by default
    /// the new advertise address' port, on a wildcard host if the old one was, else on the
    /// new IP.
    public var listenAddress: RequestedAddress?
    /// Also remove the node objects of managers that are gone, so `docker node ls` shows no
    /// ghosts.
    public var removeLostManagers: Bool

    public init(
        advertiseAddress: RequestedAddress? = nil, listenAddress: RequestedAddress? = nil, removeLostManagers: Bool = false
    ) {
        self.advertiseAddress = advertiseAddress
        self.listenAddress = listenAddress
        self.removeLostManagers = removeLostManagers
    }
}

/// `--advertise-addr IP[:PORT]` for a move: without a port the manager keeps the one it has,
/// which is what an operator moving a host with a custom port expects.
public struct RequestedAddress: Sendable, Equatable, CustomStringConvertible {
    public let ip: String
    public let port: UInt16?

    public init(parsing text: String) throws(AddressError) {
        let parts = try AdvertiseAddress.parts(parsing: text)
        ip = parts.ip
        port = parts.port
    }

    /// The full address, given the port the member has now (`ip:port` of its record).
    public func resolved(current: String?) throws(AddressError) -> AdvertiseAddress {
        let currentPort = current.flatMap { try? AdvertiseAddress(parsing: $0) }?.port
        return try AdvertiseAddress(ip: ip, port: port ?? currentPort ?? AdvertiseAddress.defaultPort)
    }

    public var description: String { port.map { "\(ip):\($0)" } ?? ip }
}
