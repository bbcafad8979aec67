import ArgumentParser
import Foundation
import SwarmBackup

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove backups a retention policy no longer keeps (restic's forget rules).",
        discussion: """
            Backups are grouped per cluster and node; in each group the newest backups are \
            kept by the given rules, restic-style: --keep-last N keeps the N newest; \
            --keep-daily N keeps the newest backup of each of the N most recent days that \
            have one (hourly, weekly (ISO weeks), monthly and yearly alike, UTC). A backup \
            kept by any rule stays. At least one rule is required. --dry-run shows the plan \
            without removing anything.

            Only files named like swarmsafe archives are ever considered.
            """
    )

    @Option(help: ArgumentHelp("The backup repository: a folder, or s3://BUCKET[/PREFIX].", valueName: "dir|s3-url"))
    var repo: String

    @OptionGroup(title: "S3") var s3: S3Options

    @Option(help: ArgumentHelp("Keep the N newest backups.", valueName: "n")) var keepLast: Int?
    @Option(help: ArgumentHelp("Keep the newest backup of each of the last N hours with one.", valueName: "n")) var keepHourly: Int?
    @Option(help: ArgumentHelp("Keep the newest backup of each of the last N days with one.", valueName: "n")) var keepDaily: Int?
    @Option(help: ArgumentHelp("Keep the newest backup of each of the last N weeks with one.", valueName: "n")) var keepWeekly: Int?
    @Option(help: ArgumentHelp("Keep the newest backup of each of the last N months with one.", valueName: "n")) var keepMonthly: Int?
    @Option(help: ArgumentHelp("Keep the newest backup of each of the last N years with one.", valueName: "n")) var keepYearly: Int?

    @Flag(help: "Show what would be removed; remove nothing.") var dryRun = false
    @Flag(help: "Print the plan and the result as JSON.") var json = false
    @Flag(name: [.short, .long], help: "Print nothing but errors.") var quiet = false

    var policy: RetentionPolicy {
        RetentionPolicy(
            keepLast: keepLast, keepHourly: keepHourly, keepDaily: keepDaily, keepWeekly: keepWeekly,
            keepMonthly: keepMonthly, keepYearly: keepYearly)
    }

    func validate() throws {
        do {
            try policy.validate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let repository = try Repositories.open(repo, s3: try s3.settings(for: repo))
        let lock = try repository.exclusiveLock()
        defer { lock.release() }
        let plan = Retention.apply(policy, to: try repository.backups().map(\.name))
        var report = RemovalReport()
        if !dryRun { report = try repository.remove(plan.removed) }
        if json {
            print(try PruneReport(repository: repo, plan: plan, dryRun: dryRun, removal: report).json())
        } else if !quiet {
            for group in plan.groups {
                print("cluster \(group.clusterID) node \(group.nodeID): keep \(group.keep.count), remove \(group.remove.count)")
                for kept in group.keep { print("  keep    \(kept.name.fileName)  (\(kept.reasons.joined(separator: ", ")))") }
                for name in group.remove { print("  \(dryRun ? "would remove" : "removed") \(name.fileName)") }
            }
            if plan.groups.isEmpty { print("no backups in \(repo)") }
        }
    }
}

/// `prune --json`. Field names are a contract.
struct PruneReport: ReportJSON {
    struct Kept: Encodable {
        let file: String
        let reasons: [String]
    }
    struct Group: Encodable {
        let clusterID: String
        let nodeID: String
        let keep: [Kept]
        let remove: [String]

        enum CodingKeys: String, CodingKey {
            case keep, remove
            case clusterID = "cluster_id"
            case nodeID = "node_id"
        }
    }

    let repository: String
    let dryRun: Bool
    let groups: [Group]
    let removed: [String]
    let alreadyMissing: [String]

    init(repository: String, plan: RetentionPlan, dryRun: Bool, removal: RemovalReport) {
        self.repository = repository
        self.dryRun = dryRun
        groups = plan.groups.map {
            Group(
                clusterID: $0.clusterID, nodeID: $0.nodeID,
                keep: $0.keep.map { Kept(file: $0.name.fileName, reasons: $0.reasons) }, remove: $0.remove.map(\.fileName))
        }
        removed = removal.removed.map(\.fileName)
        alreadyMissing = removal.alreadyMissing.map(\.fileName)
    }

    enum CodingKeys: String, CodingKey {
        case repository, groups, removed
        case dryRun = "dry_run"
        case alreadyMissing = "already_missing"
    }
}
