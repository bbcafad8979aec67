import ArgumentParser
import Foundation
import Logging
import SwarmBackup
import SwarmEngineAPI
import SwarmManager
import Synchronization

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run an embedded swarm manager on a state directory and serve the Docker Engine API to the docker CLI.",
        discussion: """
            The folder becomes the only manager and raft leader of its swarm, with no daemon and \
            no containers: `docker -H unix://SOCKET node ls`, `service ls/ps/inspect/create/ \
            scale/rm`, `secret`, `config` and `network ls` work on it, and every change is a \
            raft entry in swarmkit's own format, so a real manager started on the folder later \
            carries on from it.

            A folder whose cluster still has other voting managers is refused: run `swarmsafe \
            recover --force-new-cluster` on a copy first. An autolocked folder served without \
            its key starts locked, as a locked daemon does; `docker swarm unlock` opens it.

            SIGTERM or SIGINT stop the server cleanly. Exit codes: 0 stopped, 1 failure (other \
            voters, a worker's folder), 2 usage, 3 wrong unlock key, 5 no such folder, 6 the \
            socket or the folder is in use.
            """
    )

    static let defaultSocket = "/var/run/swarmsafe.sock"

    @OptionGroup var state: StateDirectoryOptions

    @Option(help: ArgumentHelp("Unix socket to serve on (mode 0660).", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Loopback address to serve on instead, e.g. 127.0.0.1:2375.", valueName: "host:port"))
    var listen: String?

    @OptionGroup var unlock: UnlockKeyOptions

    @Flag(help: "Serve reads only; every change is refused.")
    var readOnly = false

    func validate() throws {
        if socket != nil && listen != nil { throw ValidationError("Give --socket or --listen, not both.") }
        if let listen {
            do {
                _ = try ListenAddress.loopback(listen)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() throws {
        let address = try listen.map { text throws(ListenError) in try ListenAddress.loopback(text) }
            ?? .unixSocket(path: socket ?? Self.defaultSocket)
        let manager: EmbeddedManager
        do {
            manager = try EmbeddedManager(
                directory: state.directory, unlockKey: try unlock.resolve(), options: .init(readOnly: readOnly),
                logger: Log.logger)
        } catch let error as ManagerError {
            // Not in ExitStatus's table: phrase it for the operator, exit 1.
            throw CommandError(error.description)
        }
        var serverLogger = Log.logger
        // Hummingbird announces itself at info; the ready line below says it better.
        serverLogger.logLevel = .notice
        let api = EngineAPI(manager: manager, host: .current(serverVersion: "swarmsafe-\(SwarmSafeVersion.string)"))
        let server = EngineServer(api: api, address: address, logger: serverLogger)
        // Render the service list before saying we're ready: on a big swarm the first
        // `docker service ls` would otherwise pay for decoding and encoding every service.
        // The socket takes connections meanwhile; a service list asked for waits for it.
        api.startWarmUp()
        let stateDir = state.directory.path
        let locked = manager.isLocked
        do {
            try Self.block {
                try await server.run { ready in
                    var line = "serving \(stateDir) on \(ready.dockerHost) (docker -H \(ready.dockerHost) info)"
                    if locked { line += "; the swarm is locked: docker -H \(ready.dockerHost) swarm unlock" }
                    if manager.options.readOnly { line += "; read-only" }
                    Task {
                        await api.untilWarm()
                        FileHandle.standardOutput.write(Data((line + "\n").utf8))
                    }
                }
            }
        } catch ListenError.socketInUse(let path) {
            FileHandle.standardError.write(Data("swarmsafe: error: \(ListenError.socketInUse(path))\n".utf8))
            Foundation.exit(ExitStatus.busy.rawValue)
        } catch let error as ListenError {
            throw CommandError(error.description)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("cannot serve on \(address.dockerHost): \(SwarmSafe.oneLine(error))")
        }
    }

    /// The command tree is synchronous; the server is not. The main thread waits while the
    /// server runs on the concurrency pool, which it never blocks.
    private static func block(_ body: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await body()
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}
