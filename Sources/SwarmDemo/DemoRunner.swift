import Foundation
import Logging
import SwarmBackup
import SwarmCheck
import SwarmFormats
import SwarmConventions
import SwarmInit
import SwarmManager
import SwarmNode
import SwarmRecovery
import SwarmStore

/// The whole job on one machine with no Docker daemon: a swarm is created, given a workload
/// through the embedded manager, backed up encrypted, lost, restored onto a "new host" with a
/// new address, and proven to boot — narrated step by step with timings.
public struct DemoRunner {
    public struct Step: Sendable {
        public let number: Int
        public let title: String
        public let lines: [String]
        public let seconds: Double
    }

    public struct Outcome: Sendable {
        public let passed: Bool
        public let verdict: String
        public let seconds: Double
    }

    public let root: String
    /// The swarmsafe executable, to serve the restored cluster to the docker CLI.
    public let executable: String?
    /// The docker CLI, when present.
    public let docker: String?
    public let logger: Logger

    static let oldAddress = "192.0.2.10"
    static let newAddress = "192.0.2.20"

    public init(root: String, executable: String?, docker: String?, logger: Logger = Logger(label: "swarmsafe.demo")) {
        self.root = root
        self.executable = executable
        self.docker = docker
        self.logger = logger
    }

    /// Runs every step, reporting each as it finishes; throws on the first that fails.
    public func run(report: (Step) -> Void) throws -> Outcome {
        let started = Date()
        var number = 0
        func step<T>(_ title: String, _ body: () throws -> (T, [String])) throws -> T {
            number += 1
            let begin = Date()
            let (value, lines) = try body()
            report(Step(number: number, title: title, lines: lines, seconds: Date().timeIntervalSince(begin)))
            return value
        }
        let oldHost = StateDirectory(path: root + "/old-host/swarm")
        let newHost = StateDirectory(path: root + "/new-host/swarm")
        for folder in ["old-host", "new-host", "backups"] {
            try FileSync.makeDirectory(root + "/" + folder, mode: 0o700)
        }

        let unlockKey: UnlockKey = try step("swarmsafe init: a new autolocked swarm on the old host") {
            let options = try InitOptions(
                advertiseAddress: try AdvertiseAddress(parsing: Self.oldAddress), autolock: true, hostname: "old-host")
            let plan = try SwarmInitPlan.generate(options: options, now: Date())
            try SwarmInitializer(plan: plan).write(to: oldHost)
            guard let key = plan.credentials.unlockKey else { throw DemoError.step("init made no unlock key") }
            try FileSync.writeNewFile(root + "/unlock.key", Data((key.text + "\n").utf8), mode: 0o600)
            return (key, [
                "cluster \(plan.identity.clusterID), manager \(plan.identity.nodeID) at \(Self.oldAddress):2377",
                "unlock key saved to \(root)/unlock.key (mode 0600)",
            ])
        }

        let before: DemoWorkload.Counts
        if let docker, let executable {
            before = try step("docker stack deploy through swarmsafe serve (raft entries in swarmkit's format)") {
                let compose = try DemoWorkload.writeStack(into: root + "/stack")
                let transcript = try DockerShowcase(
                    executable: executable, docker: docker, stateDirectory: oldHost, unlockKeyFile: root + "/unlock.key",
                    socket: root + "/docker.sock"
                ).run([["stack", "deploy", "--detach=true", "-c", compose, "shop"], ["stack", "services", "shop"]], in: root + "/stack")
                let node = try NodeLoader(unlockKey: unlockKey).loadManager(oldHost)
                let store = node.cluster?.store ?? ObjectStore()
                return (DemoWorkload.Counts(store), transcript + [
                    "\(DemoWorkload.Counts(store)) and \(store.count(.task)) tasks; commit index \(node.raft?.hardState.commit ?? 0)",
                ])
            }
        } else {
            before = try step("embedded manager: deploy a stack (raft entries in swarmkit's format)") {
                let manager = try EmbeddedManager(directory: oldHost, unlockKey: unlockKey, logger: logger)
                // Every write was synced as it was made; closing only releases the WAL locks.
                defer { try? manager.close() }
                try DemoWorkload.populate(manager)
                let view = try manager.view()
                return (DemoWorkload.Counts(view.store), [
                    "\(DemoWorkload.Counts(view.store)) and \(view.store.count(.task)) tasks; commit index \(view.commitIndex)",
                    "services: web (3 replicas, config nginx.conf), api (2 replicas, secret db-password), node-exporter (global)",
                ])
            }
        }

        let identity = AgeX25519Identity()
        let archive: String = try step("swarmsafe backup: consistent, age-encrypted, read back before it is published") {
            try FileSync.writeNewFile(root + "/backup.agekey", Data(identity.identityFileContents.utf8), mode: 0o600)
            let result = try BackupRunner(
                request: BackupRequest(
                    stateDirectory: oldHost, repository: root + "/backups", unlockKey: unlockKey,
                    encryption: .recipients([identity.recipient])),
                logger: logger
            ).run()
            return (result.archivePath, [
                "\(result.archivePath) (\(result.archiveBytes) bytes, raft index \(result.manifest.raft.lastIndex))",
                "encrypted to \(identity.recipient.string); identity in \(root)/backup.agekey",
            ])
        }

        try step("swarmsafe verify --deep: checksums, every record decrypted, references") {
            let report = try BackupVerifier(
                archive: archive, key: .identities([identity]), unlockKey: unlockKey, deep: true
            ).verify()
            guard report.ok else { throw DemoError.step("verify: \(report.findings.joined(separator: "; "))") }
            return ((), ["good: \(report.verification.rawValue) check, references checked, raft index \(report.raftLastIndex ?? 0)"])
        }

        try step("disaster: the old host is lost") {
            try DemoDisaster.destroy(oldHost)
            return ((), ["its state directory is gone (moved to old-host/swarm.lost with a torn log); no manager is left"])
        }

        let plan: ForceNewClusterPlan? = try step(
            "swarmsafe restore --force-new-cluster --advertise-addr \(Self.newAddress): onto the new host"
        ) {
            var recovered: ForceNewClusterPlan?
            var restorer = BackupRestorer(
                archive: archive, target: newHost.path, key: .identities([identity]), unlockKey: unlockKey, force: false,
                logger: logger)
            restorer.prepare = { staged in
                recovered = try ForceNewCluster.applyInPlace(
                    to: staged, unlockKey: unlockKey,
                    options: ForceNewClusterOptions(advertiseAddress: try RequestedAddress(parsing: Self.newAddress)))
            }
            _ = try restorer.restore()
            let change = recovered?.addressChange.map { "address \($0.from ?? "?") → \($0.to) (member, node, state.json)" }
            return (recovered, ["restored into \(newHost.path)", change ?? "address unchanged"])
        }

        let check: CheckReport = try step("swarmsafe check: boot the restored state, invariants, write probe") {
            let report = try ManagerCheck(source: newHost.path, unlockKey: unlockKey, logger: logger).run()
            return (report, report.items.map { "\($0.ok ? "ok  " : "FAIL") \($0.name): \($0.detail)" })
        }

        let after: DemoWorkload.Counts = try step("compare: what the new host has") {
            let node = try NodeLoader(unlockKey: unlockKey).loadManager(newHost)
            let counts = DemoWorkload.Counts(node.cluster?.store ?? ObjectStore())
            let members = node.cluster?.membership.members.map(\.addr) ?? []
            return (counts, [
                "before the loss: \(before)", "after the restore: \(counts)",
                "raft members: \(members.joined(separator: ", "))",
            ])
        }

        if let docker, let executable {
            try step("docker CLI against the restored cluster (swarmsafe serve)") {
                let output = try DockerShowcase(
                    executable: executable, docker: docker, stateDirectory: newHost, unlockKeyFile: root + "/unlock.key",
                    socket: root + "/docker.sock"
                ).run([["service", "ls"], ["stack", "ps", "shop", "--filter", "desired-state=running"]])
                return ((), output)
            }
        }

        let addressMoved = plan?.addressChange?.to.hasPrefix(Self.newAddress + ":") == true
        let passed = check.passed && after == before && addressMoved
        let verdict = passed
            ? "PASS: the backup restored on a new host at \(Self.newAddress), booted, and holds everything (\(after))"
            : "FAIL: \(check.passed ? "" : "check failed; ")\(after == before ? "" : "objects differ; ")\(addressMoved ? "" : "address not moved")"
        return Outcome(passed: passed, verdict: verdict, seconds: Date().timeIntervalSince(started))
    }
}

public enum DemoError: Error, CustomStringConvertible {
    case step(String)

    public var description: String {
        switch self {
        case .step(let message): message
        }
    }
}
