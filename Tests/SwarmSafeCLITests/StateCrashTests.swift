import Foundation
import SwarmTestSupport
import Testing

/// Every command that replaces a state directory, killed with SIGKILL before each of its
/// file-system steps (a sample of them in the suite, all with `scripts/crash-injection.sh`),
/// on a real fixture. After each kill the folder holds the old state byte for byte or the
/// complete new one, never a mix and never nothing; every folder left beside it is the old
/// state, the new one, or a hidden staging copy; the old state is whole somewhere; the
/// operator's next run finishes the job and the result boots in the embedded manager.
/// `RealDockerSuite.CrashBoot` boots a sample of killed states in real dockerd.
@Suite struct StateCrashTests {
    /// A command that replaces the folder, and how to tell its result.
    struct Command {
        let fixture: (scenario: String, node: String)
        /// Run once on the fresh copy before the command (e.g. a rescue, or damage to repair).
        var prepare: (_ folder: URL) throws -> Void = { _ in }
        /// The command's arguments; `attempt` numbers the runs on one copy, for options such as
        /// `--new-key-file` that refuse an existing file.
        let arguments: (_ folder: URL, _ attempt: Int) throws -> [String]
        /// True when `folder` holds the command's complete result.
        let isNew: (_ folder: URL) throws -> Bool
        /// What the operator runs after a kill that left `found`: normally the same command
        /// again; nil where the command cannot be repeated on its own result (it refuses, and
        /// says why), which is then checked to be the case.
        var rerun: (_ folder: URL, _ found: Found) throws -> [String]? = { _, _ in nil }
        /// What must hold of anything else the kill left (a key file, a certificate kept aside).
        var afterKill: (_ folder: URL, _ found: Found) throws -> Void = { _, _ in }
        /// `check`'s key arguments for the final state.
        var checkArguments: (_ folder: URL) -> [String] = { _ in [] }
        /// False when the state the tests start from is not one the command works on (key lock
        /// on an autolocked state given with `SWARMSAFE_CRASH_STATE`, say).
        var applies = true
    }

    enum Found: Equatable { case old, new }

    static func inspect(_ folder: URL, _ extra: [String] = []) throws -> CLIRunner.Result {
        try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path] + extra)
    }

    static func keyFile(_ folder: URL, _ attempt: Int) -> URL {
        folder.deletingLastPathComponent().appendingPathComponent("new-\(attempt).key")
    }

    static func opens(_ folder: URL, with keyFile: URL) throws -> Bool {
        guard FileManager.default.fileExists(atPath: keyFile.path) else { return false }
        return try CLIRunner.run(["key", "verify", "--state-dir", folder.path, "--unlock-key-file", keyFile.path]).status == 0
    }

    static func locked(_ folder: URL) throws -> Bool? {
        (try inspect(folder).json["encryption"] as? [String: Any])?["locked"] as? Bool
    }

    /// The newest key file a killed or finished run wrote that opens `folder`.
    static func openingKey(_ folder: URL) throws -> URL? {
        try (0..<4).reversed().map { keyFile(folder, $0) }.first { try opens(folder, with: $0) }
    }

    /// Never a folder locked with a key nobody was given: a new state opens with the key file
    /// the killed run wrote before it changed anything.
    static func opensWithTheKilledRunsKey(_ folder: URL, _ found: Found) throws {
        let opened = try found == .old || opens(folder, with: keyFile(folder, 0))
        #expect(opened, "the new state does not open with the key the killed run wrote")
    }

    static func openingKeyArguments(_ folder: URL) -> [String] {
        // A key that cannot be tried makes `check` fail, which is the finding.
        guard let key = try? openingKey(folder) else { return [] }
        return ["--unlock-key-file", key.path]
    }

    static func recovered(_ scenario: String) -> (URL) throws -> Void {
        { folder in
            let result = try CLIRunner.run(
                ["recover", "--force-new-cluster", "--state-dir", folder.path] + CrashState.keyArguments(scenario))
            #expect(result.status == 0, "\(result.stderr)")
            // The rescue's own aside copy is not what the command under test replaces.
            for name in try CrashInjection.siblings(of: folder) {
                try FileManager.default.removeItem(at: folder.deletingLastPathComponent().appendingPathComponent(name))
            }
        }
    }

    static var autolockKey: [String] { CrashState.keyArguments("autolock-3mgr") }

    static var commands: [String: Command] {
        [
        "recover --force-new-cluster --advertise-addr --remove-lost-managers": Command(
            fixture: ("ha-3mgr-snapshot", "manager-3"),
            arguments: { folder, _ in
                ["recover", "--force-new-cluster", "--remove-lost-managers", "--advertise-addr", "127.0.0.77:2377", "--state-dir", folder.path]
                    + CrashState.keyArguments("ha-3mgr-snapshot")
            },
            isNew: { folder in
                let inspect = try inspect(folder, CrashState.keyArguments("ha-3mgr-snapshot"))
                let members = (inspect.json["raft"] as? [String: Any])?["members"] as? [[String: Any]] ?? []
                return members.count == 1 && inspect.stdout.contains("127.0.0.77:2377")
            },
            rerun: { folder, _ in
                ["recover", "--force-new-cluster", "--remove-lost-managers", "--advertise-addr", "127.0.0.77:2377", "--state-dir", folder.path]
                    + CrashState.keyArguments("ha-3mgr-snapshot")
            },
            checkArguments: { _ in ["--advertise-addr", "127.0.0.77:2377"] + CrashState.keyArguments("ha-3mgr-snapshot") }),
        "repair": Command(
            fixture: ("single-manager", "manager-1"),
            prepare: { try RepairCLITests.tear($0) },
            arguments: { folder, _ in ["repair", "--state-dir", folder.path] + CrashState.keyArguments("single-manager") },
            isNew: { folder in
                let inspect = try inspect(folder, CrashState.keyArguments("single-manager"))
                return inspect.status == 0 && !inspect.stderr.contains("torn")
            },
            rerun: { folder, _ in ["repair", "--state-dir", folder.path] + CrashState.keyArguments("single-manager") },
            checkArguments: { _ in CrashState.keyArguments("single-manager") }),
        "key rotate": Command(
            fixture: ("autolock-3mgr", "manager-3"),
            prepare: recovered("autolock-3mgr"),
            arguments: { folder, attempt in
                ["key", "rotate", "--state-dir", folder.path, "--new-key-file", keyFile(folder, attempt).path] + autolockKey
            },
            // Opened by a key a run of ours wrote (the old key opens no such folder).
            isNew: { folder in try openingKey(folder) != nil },
            rerun: { folder, found in
                // The operator rotates again with whichever key opens the folder now.
                let current = found == .new ? ["--unlock-key-file", keyFile(folder, 0).path] : autolockKey
                return ["key", "rotate", "--state-dir", folder.path, "--new-key-file", keyFile(folder, 1).path] + current
            },
            afterKill: opensWithTheKilledRunsKey,
            checkArguments: openingKeyArguments,
            applies: CrashState.isAutolocked(fixture: "autolock-3mgr")),
        "key lock": Command(
            fixture: ("single-manager", "manager-1"),
            arguments: { folder, attempt in ["key", "lock", "--state-dir", folder.path, "--new-key-file", keyFile(folder, attempt).path] },
            isNew: { folder in try openingKey(folder) != nil },
            rerun: { folder, found in
                found == .old ? ["key", "lock", "--state-dir", folder.path, "--new-key-file", keyFile(folder, 1).path] : nil
            },
            afterKill: opensWithTheKilledRunsKey,
            checkArguments: openingKeyArguments,
            applies: !CrashState.isAutolocked(fixture: "single-manager")),
        "key unlock": Command(
            fixture: ("autolock-3mgr", "manager-3"),
            prepare: recovered("autolock-3mgr"),
            arguments: { folder, _ in ["key", "unlock", "--state-dir", folder.path] + autolockKey },
            isNew: { folder in try locked(folder) == false },
            rerun: { folder, found in found == .old ? ["key", "unlock", "--state-dir", folder.path] + autolockKey : nil },
            applies: CrashState.isAutolocked(fixture: "autolock-3mgr")),
        "restore --force": Command(
            fixture: ("ha-3mgr-snapshot", "manager-3"),
            prepare: { folder in
                let repo = folder.deletingLastPathComponent().appendingPathComponent("repo")
                let backup = try BackupCLITests.backup(Fixtures.folder("single-manager", "manager-1"), repo: repo)
                #expect(backup.status == 0, "\(backup.stderr)")
            },
            arguments: { folder, _ in ["restore", try archive(beside: folder), "--state-dir", folder.path, "--force"] },
            isNew: { folder in
                let members = (try inspect(folder).json["raft"] as? [String: Any])?["members"] as? [[String: Any]] ?? []
                let services = (try inspect(folder).json["objects"] as? [String: Int])?["services"]
                return members.count == 1 && services == singleManagerServices
            },
            rerun: { folder, _ in ["restore", try archive(beside: folder), "--state-dir", folder.path, "--force"] }),
        ]
    }

    static var singleManagerServices: Int? {
        (try? inspect(Fixtures.folder("single-manager", "manager-1")).json["objects"] as? [String: Int])?["services"]
    }

    /// The one archive the restore scenario's preparation wrote.
    static func archive(beside folder: URL) throws -> String {
        let repo = folder.deletingLastPathComponent().appendingPathComponent("repo")
        let names = try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { $0.hasPrefix("swarm-") }
        return repo.appendingPathComponent(try #require(names.first)).path
    }

    /// A fresh copy of the command's fixture, prepared.
    static func world(_ command: Command) throws -> (parent: URL, folder: URL) {
        let (parent, folder) = try CrashState.copy(command.fixture.scenario, command.fixture.node)
        try command.prepare(folder)
        return (parent, folder)
    }

    @Test("killed before its file-system steps: old or new state, whole; the next run finishes; it boots",
          arguments: commands.keys.sorted())
    func killed(_ name: String) throws {
        let command = try #require(Self.commands[name])
        guard command.applies else {
            print("\(name): does not apply to \(CrashState.outside?.path ?? "the fixture"); not run")
            return
        }
        let planned = try Self.world(command)
        let plan = try CrashInjection.plan(command.arguments(planned.folder, 0))
        #expect(try command.isNew(planned.folder), "the uninterrupted run's result is not recognised")
        try? FileManager.default.removeItem(at: planned.parent)
        print("\(name): \(plan.steps.count) steps in \(String(format: "%.2f", plan.seconds)) s; killing at \(plan.points.count) points")

        var outcomes: [Found: Int] = [:]
        for point in plan.points {
            let (parent, folder) = try Self.world(command)
            defer { try? FileManager.default.removeItem(at: parent) }
            let old = try Fixtures.tree(folder.path)
            _ = try CrashInjection.run(command.arguments(folder, 0), killedAt: point)

            // The folder: the old state to the byte, or the complete new one.
            let found: Found = try Fixtures.tree(folder.path) == old ? .old : .new
            if found == .new {
                #expect(try command.isNew(folder), "\(name) killed \(point): neither the old state nor the new one")
                // As the kill left it (check boots a copy): an operator may start Docker on it now.
                let check = try CLIRunner.run(["check", "--state-dir", folder.path] + command.checkArguments(folder))
                #expect(check.status == 0, "\(name) killed \(point): the state it left does not boot: \(check.stdout)\(check.stderr)")
            }
            outcomes[found, default: 0] += 1
            try command.afterKill(folder, found)
            // Beside it: hidden staging copies, or whole states.
            for sibling in try CrashInjection.siblings(of: folder) where !sibling.hasSuffix(".key") && sibling != "repo" {
                let url = parent.appendingPathComponent(sibling)
                if sibling.contains(".swarmsafe-staging-") {
                    #expect(sibling.hasPrefix("."), "\(name) killed \(point): a visible staging folder \(sibling)")
                } else {
                    #expect(try Fixtures.tree(url.path) == old || command.isNew(url), "\(name) killed \(point): \(sibling) is neither state")
                }
            }
            #expect(try found == .old || CrashInjection.kept(old, beside: folder), "\(name) killed \(point): the old state is nowhere whole")

            // The operator's next run.
            if let again = try command.rerun(folder, found) {
                let result = try CLIRunner.run(again)
                #expect(result.status == 0, "\(name) killed \(point): the next run failed: \(result.stderr)")
            } else {
                #expect(found == .new, "\(name) killed \(point): nothing to run again although the old state is there")
                let repeated = try CLIRunner.run(command.arguments(folder, 2))
                let errors = repeated.stderr.split(separator: "\n").filter { $0.contains("error:") }
                #expect(repeated.status != 0 && errors.count == 1,
                        "\(name) killed \(point): a repeat on its own result should refuse in one line: \(repeated.stderr)")
            }
            #expect(try command.isNew(folder), "\(name) killed \(point): the next run did not finish the job")
            let leftovers = try CrashInjection.siblings(of: folder).filter { $0.contains(".swarmsafe-staging-") }
            #expect(leftovers.isEmpty, "\(name) killed \(point): the next run left \(leftovers)")
            #expect(try CrashInjection.kept(old, beside: folder), "\(name) killed \(point): the old state is not kept after the next run")
            let check = try CLIRunner.run(["check", "--state-dir", folder.path] + command.checkArguments(folder))
            #expect(check.status == 0, "\(name) killed \(point): the result does not boot: \(check.stdout)\(check.stderr)")
        }
        print("\(name): \(outcomes[.old] ?? 0) kills left the old state, \(outcomes[.new] ?? 0) the new one")
    }
}

/// `certs renew` replaces one file in place (the previous certificate hard-linked aside first),
/// so a kill leaves the old certificate or the new one at its name, never neither.
@Suite struct CertificateCrashTests {
    @Test("certs renew killed at each step: the old certificate or a new one, the old one kept; the next run renews")
    func renewKilled() throws {
        let key = CrashState.keyArguments("single-manager")
        func arguments(_ folder: URL) -> [String] { ["certs", "renew", "--force", "--state-dir", folder.path] + key }
        let planned = try CrashState.copy("single-manager", "manager-1")
        let plan = try CrashInjection.plan(arguments(planned.folder))
        try? FileManager.default.removeItem(at: planned.parent)
        print("certs renew: \(plan.steps.count) steps in \(String(format: "%.2f", plan.seconds)) s; killing at \(plan.points.count) points")

        for point in plan.points {
            let (parent, folder) = try CrashState.copy("single-manager", "manager-1")
            defer { try? FileManager.default.removeItem(at: parent) }
            let certificates = folder.appendingPathComponent("certificates")
            let oldCertificate = try Data(contentsOf: certificates.appendingPathComponent("swarm-node.crt"))
            let oldKey = try Data(contentsOf: certificates.appendingPathComponent("swarm-node.key"))
            _ = try CrashInjection.run(arguments(folder), killedAt: point)
            let context = "certs renew killed \(point)"

            let now = try Data(contentsOf: certificates.appendingPathComponent("swarm-node.crt"))
            #expect(try Data(contentsOf: certificates.appendingPathComponent("swarm-node.key")) == oldKey, "\(context)")
            if now != oldCertificate {
                let inspect = try CLIRunner.run(["inspect", "--json", "--state-dir", folder.path] + key)
                #expect(inspect.status == 0, "\(context): the new certificate does not load: \(inspect.stderr)")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: certificates.path)
            for kept in names where kept.hasPrefix("swarm-node.crt.swarmsafe-old-") {
                #expect(try Data(contentsOf: certificates.appendingPathComponent(kept)) == oldCertificate, "\(context): \(kept)")
            }
            #expect(now == oldCertificate || names.contains { $0.hasPrefix("swarm-node.crt.swarmsafe-old-") }, "\(context): the old certificate is gone")

            let again = try CLIRunner.run(arguments(folder))
            #expect(again.status == 0, "\(context): the next run failed: \(again.stderr)")
            let temporaries = try FileManager.default.contentsOfDirectory(atPath: certificates.path).filter { $0.contains(".swarmsafe-new-") }
            #expect(temporaries.isEmpty, "\(context): the next run left \(temporaries)")
            let check = try CLIRunner.run(["check", "--state-dir", folder.path] + key)
            #expect(check.status == 0, "\(context): the renewed node does not boot: \(check.stdout)\(check.stderr)")
        }
    }
}
