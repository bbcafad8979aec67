import Foundation
import Hummingbird
import Logging
import NIOCore
import SwarmManager

/// The Engine API over HTTP/1.1 on a unix socket or a loopback port, until SIGTERM or SIGINT.
public struct EngineServer: Sendable {
    public let api: EngineAPI
    public let address: ListenAddress
    public let logger: Logger

    public init(api: EngineAPI, address: ListenAddress, logger: Logger) {
        self.api = api
        self.address = address
        self.logger = logger
    }

    /// Serves until a shutdown signal, then closes the manager (its log's files and locks).
    /// `onReady` gets the address clients can use (with the real port when 0 was asked for).
    public func run(onReady: @escaping @Sendable (ListenAddress) -> Void) async throws {
        if case .unixSocket(let path) = address { try SocketPreflight.prepare(path) }
        let address = self.address
        let app = Application(
            responder: EngineResponder(EngineRoutes.router(api: api).buildResponder()),
            configuration: ApplicationConfiguration(address: address.bindAddress, serverName: "swarmsafe"),
            onServerRunning: { channel in
                switch address {
                case .unixSocket(let path):
                    SocketPreflight.restrict(path)
                    onReady(address)
                case .tcp(let host, let port):
                    onReady(.tcp(host: host, port: channel.localAddress?.port ?? port))
                }
            },
            logger: logger)
        defer {
            if case .unixSocket(let path) = address { SocketPreflight.remove(path) }
        }
        do {
            try await app.runService()
        } catch {
            // The server's error is the one to report; every write was synced as it was made.
            try? api.manager.close()
            throw error
        }
        try api.manager.close()
    }
}
