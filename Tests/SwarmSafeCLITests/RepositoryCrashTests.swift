import Foundation
import SwarmTestSupport
import Testing

/// `backup` and `prune` killed with SIGKILL before each of their file-system steps (and by time
/// where they take too few): the repository never shows a partial archive, loses no archive the
/// policy keeps, and the next run finishes the job. The state backed up is never touched.
@Suite struct RepositoryCrashTests {
    static func listed(_ repo: URL) throws -> [String] {
        let list = try CLIRunner.run(["list", "--repo", repo.path, "--json"])
        #expect(list.status == 0, "list failed: \(list.stderr)")
        let backups = list.json["backups"] as? [[String: Any]] ?? []
        return backups.compactMap { $0["path"] as? String }.sorted()
    }

    /// Every archive `list` shows verifies to the last byte.
    static func allVerify(_ repo: URL, _ context: String, _ key: [String] = []) throws {
        for archive in try listed(repo) {
            let verify = try CLIRunner.run(["verify", archive, "--deep"] + key)
            #expect(verify.status == 0, "\(context): \(archive) is listed but does not verify: \(verify.stderr)")
        }
    }

    /// Files in the repository an operator would take for something: anything not hidden.
    static func visible(_ repo: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("backup killed before its steps: no partial archive is ever visible, the next backup succeeds, the state is untouched")
    func backupKilled() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let (stateParent, folder) = try CrashState.copy("single-manager", "manager-1")
        defer { try? FileManager.default.removeItem(at: stateParent) }
        let state = try Fixtures.tree(folder.path)
        let key = CrashState.keyArguments("single-manager")
        func arguments(_ repo: URL) -> [String] { ["backup", "--state-dir", folder.path, "--repo", repo.path, "--quiet"] + key }

        // Planned on a repository like the ones killed: holding one backup already.
        let planned = root.appendingPathComponent("planned")
        #expect(try BackupCLITests.backup(folder, repo: planned, key).status == 0)
        let plan = try CrashInjection.plan(arguments(planned))
        print("backup: \(plan.steps.count) steps in \(String(format: "%.2f", plan.seconds)) s; killing at \(plan.points.count) points")
        var published = 0
        for (n, point) in plan.points.enumerated() {
            let repo = root.appendingPathComponent("repo-\(n)")
            let first = try BackupCLITests.backup(folder, repo: repo, key)
            #expect(first.status == 0, "\(first.stderr)")
            _ = try CrashInjection.run(arguments(repo), killedAt: point)
            let context = "backup killed \(point)"

            let after = try Self.listed(repo)
            #expect(after.count == 1 || after.count == 2, "\(context): \(after)")
            if after.count == 2 { published += 1 }
            let visible = try Self.visible(repo)
            #expect(visible.count == after.count, "\(context): \(visible)")
            try Self.allVerify(repo, context, key)
            #expect(try Fixtures.tree(folder.path) == state, "\(context): the state backed up was changed")

            let again = try CLIRunner.run(arguments(repo))
            #expect(again.status == 0, "\(context): the next backup failed: \(again.stderr)")
            #expect(try Self.listed(repo).count == after.count + 1, "\(context)")
            let hidden = try FileManager.default.contentsOfDirectory(atPath: repo.path).filter { $0.hasPrefix(".") && $0.contains(".partial-") }
            #expect(hidden.isEmpty, "\(context): the next backup left \(hidden)")
            let work = try FileManager.default.contentsOfDirectory(atPath: stateParent.path).filter { $0.contains(".swarmsafe-backup-") }
            #expect(work.isEmpty, "\(context): the killed run's working copy is still beside the state: \(work)")
            try Self.allVerify(repo, context, key)
        }
        // What was backed up boots: the newest archive of the last repository, checked.
        let newest = try #require(try Self.listed(root.appendingPathComponent("repo-\(plan.points.count - 1)")).last)
        let check = try CLIRunner.run(["check", newest, "--work-dir", root.path] + key)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        print("backup: \(published) of \(plan.points.count) kills came after the archive was published")
    }

    @Test("prune killed before each removal: what the policy keeps is never lost, the next prune finishes")
    func pruneKilled() throws {
        let root = BackupCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let template = root.appendingPathComponent("template")
        for _ in 0..<5 {
            let backup = try BackupCLITests.backup(Fixtures.folder("single-manager", "manager-1"), repo: template)
            #expect(backup.status == 0, "\(backup.stderr)")
        }
        let all = try Self.listed(template).map { URL(fileURLWithPath: $0).lastPathComponent }
        try #require(all.count == 5)
        // Names sort by time: the two newest are what --keep-last 2 keeps.
        let kept = Array(all.suffix(2))
        func copy(_ name: String) throws -> URL {
            let repo = root.appendingPathComponent(name)
            #expect(Fixtures.run("/bin/cp", ["-a", template.path, repo.path]) == 0)
            return repo
        }
        func arguments(_ repo: URL) -> [String] { ["prune", "--repo", repo.path, "--keep-last", "2", "--quiet"] }

        let plan = try CrashInjection.plan(arguments(try copy("planned")))
        print("prune: \(plan.steps.count) steps in \(String(format: "%.2f", plan.seconds)) s; killing at \(plan.points.count) points")
        for (n, point) in plan.points.enumerated() {
            let repo = try copy("repo-\(n)")
            _ = try CrashInjection.run(arguments(repo), killedAt: point)
            let context = "prune killed \(point)"
            let left = try Self.listed(repo).map { URL(fileURLWithPath: $0).lastPathComponent }
            #expect(Set(kept).isSubset(of: Set(left)), "\(context): lost a backup the policy keeps: \(left)")
            #expect(Set(left).isSubset(of: Set(all)), "\(context): \(left)")
            try Self.allVerify(repo, context)

            let again = try CLIRunner.run(arguments(repo))
            #expect(again.status == 0, "\(context): the next prune failed: \(again.stderr)")
            #expect(try Self.listed(repo).map { URL(fileURLWithPath: $0).lastPathComponent } == kept, "\(context)")
        }
    }
}
