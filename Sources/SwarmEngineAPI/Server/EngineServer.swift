import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwarmManager

/// The Engine API over HTTP/1.1 on a unix socket or a loopback port, until SIGTERM or SIGINT.
public struct EngineServer: Sendable {
    public let address: ListenAddress
    public let logger: Logger

    /// The boot failed; `error` is what the boot threw. The socket was closed again.
    public struct BootFailure: Error, CustomStringConvertible {
        public let error: any Error
        /// What a request that waited for the boot is answered.
        public var description: String { "the embedded manager did not boot: \(error)" }
    }

    public init(address: ListenAddress, logger: Logger) {
        self.address = address
        self.logger = logger
    }

    /// Opens the socket, then runs `boot` on a thread of its own: a client started beside the
    /// server connects at once, and its requests wait for the boot instead of failing to
    /// connect (as a socket-activated dockerd's do). A failed boot closes the socket and is
    /// thrown as `BootFailure`. Serves until a shutdown signal, then closes the manager (its
    /// log's files and locks). `onReady` gets the address clients can use (with the real
    /// port when 0 was asked for) and the booted API.
    public func run(
        boot: @escaping @Sendable () throws -> EngineAPI,
        onReady: @escaping @Sendable (ListenAddress, EngineAPI) async -> Void
    ) async throws {
        if case .unixSocket(let path) = address { try SocketPreflight.prepare(path) }
        let booted = Eventual<BootedAPI>()
        let bound = Eventual<ListenAddress>()
        Thread.detachNewThread {
            booted.resolve(Result { try BootedAPI(api: boot()) }.mapError { BootFailure(error: $0) })
        }
        let address = self.address
        let app = Application(
            responder: EngineResponder(BootingResponder(booted: booted)),
            configuration: ApplicationConfiguration(address: address.bindAddress, serverName: "swarmsafe"),
            onServerRunning: { channel in
                switch address {
                case .unixSocket(let path):
                    SocketPreflight.restrict(path)
                    bound.resolve(.success(address))
                case .tcp(let host, let port):
                    bound.resolve(.success(.tcp(host: host, port: channel.localAddress?.port ?? port)))
                }
            },
            logger: logger)
        let services = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer {
            if case .unixSocket(let path) = address { SocketPreflight.remove(path) }
        }
        do {
            // Each task says whether it was the server's.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        try await services.run()
                        bound.resolve(.failure(CancellationError()))
                        return true
                    } catch {
                        bound.resolve(.failure(error))
                        throw error
                    }
                }
                group.addTask {
                    do {
                        let api = try await booted.value().api
                        let ready = try await bound.value()
                        // Stopped by a signal during the boot: nothing to announce.
                        if !Task.isCancelled { await onReady(ready, api) }
                    } catch {
                        // A failed boot stops the server as a signal would: requests waiting
                        // for the boot are answered with its error, then the socket closes.
                        // (A server that failed to start has stopped already.)
                        await services.triggerGracefulShutdown()
                    }
                    return false
                }
                while let finished = try await group.next() {
                    if finished { group.cancelAll() }
                }
            }
        } catch {
            // The server's error is the one to report; every write was synced as it was made.
            // A boot still running is waited for, so that no lock it took outlives it.
            try? await booted.value().api.manager.close()
            throw error
        }
        // The boot's failure, if it failed, once the server has stopped.
        try await booted.value().api.manager.close()
    }
}

/// The API and the router built on it, once the folder has booted.
struct BootedAPI: Sendable {
    let api: EngineAPI
    let router: RouterResponder<EngineRoutes.Context>

    init(api: EngineAPI) {
        self.api = api
        router = EngineRoutes.router(api: api).buildResponder()
    }
}

/// Requests that arrive before the boot is done wait for it.
struct BootingResponder: HTTPResponder {
    typealias Context = EngineRoutes.Context
    let booted: Eventual<BootedAPI>

    func respond(to request: Request, context: Context) async throws -> Response {
        try await booted.value().router.respond(to: request, context: context)
    }
}
