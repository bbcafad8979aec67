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

            The socket opens at once and the folder boots beside it: a client started with \
            serve waits for the boot instead of failing to connect, and the "serving" line \
            comes when the first `service ls` is ready to be answered. A folder that cannot \
            be booted closes the socket again.

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
        let unlockKey = try unlock.resolve()
        var serverLogger = Log.logger
        // Hummingbird announces itself at info; the ready line below says it better.
        serverLogger.logLevel = .notice
        let server = EngineServer(address: address, logger: serverLogger)
        let (directory, options) = (state.directory, EmbeddedManager.Options(readOnly: readOnly))
        let boot = { @Sendable () throws -> EngineAPI in
            let manager = try EmbeddedManager(directory: directory, unlockKey: unlockKey, options: options, logger: Log.logger)
            let api = EngineAPI(manager: manager, host: .current(serverVersion: "swarmsafe-\(SwarmSafeVersion.string)"))
            // Render the service list before saying we're ready: on a big swarm the first
            // `docker service ls` would otherwise pay for decoding and encoding every service.
            // The socket takes connections meanwhile; a service list asked for waits for it.
            api.startWarmUp()
            return api
        }
        do {
            try Self.block {
                try await server.run(boot: boot) { ready, api in
                    await api.untilWarm()
                    var line = "serving \(directory.path) on \(ready.dockerHost) (docker -H \(ready.dockerHost) info)"
                    if api.manager.isLocked { line += "; the swarm is locked: docker -H \(ready.dockerHost) swarm unlock" }
                    if api.manager.options.readOnly { line += "; read-only" }
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                }
            }
        } catch let failure as EngineServer.BootFailure {
            // Not in ExitStatus's table: phrase it for the operator, exit 1.
            if let error = failure.error as? ManagerError { throw CommandError(error.description) }
            throw failure.error
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
