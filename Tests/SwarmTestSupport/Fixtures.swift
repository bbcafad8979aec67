import Foundation

/// The real state directories in `Tests/Fixtures/*.tar.gz`, produced by real swarmkit.
/// They are unpacked once per test process into a temporary folder; tests that change a
/// folder work on a `copy`, never on the shared unpacked tree.
public enum Fixtures {
    public static let sourceDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    public static let scenarios = ["single-manager", "ha-3mgr-snapshot", "autolock-3mgr", "fips-1mgr", "reference"]

    static let unpackPrefix = "swarmsafe-fixtures-"

    /// Where every archive was unpacked (one sub-folder per scenario, as in the archives).
    /// A test process can't clean up after itself when it is killed or exits through the
    /// test runner, so each one first removes the trees of processes that are gone: without
    /// that every run left its unpacked fixtures behind and filled the disk.
    public static let unpacked: URL = {
        removeAbandonedTrees()
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(unpackPrefix)\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for scenario in scenarios {
            let archive = sourceDirectory.appendingPathComponent("\(scenario).tar.gz").path
            let status = run("/bin/tar", ["-xzf", archive, "-C", root.path])
            precondition(status == 0, "cannot unpack \(archive)")
        }
        return root
    }()

    static func removeAbandonedTrees() {
        let parent = FileManager.default.temporaryDirectory
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where entry.hasPrefix(unpackPrefix) {
            guard let pid = Int32(entry.dropFirst(unpackPrefix.count).prefix { $0 != "-" }), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
    }

    /// A manager or worker folder, e.g. `folder("ha-3mgr-snapshot", "manager-2")`.
    /// `reference.tar.gz` holds scenarios of its own: `folder("fresh-init", "manager-1")`.
    public static func folder(_ scenario: String, _ node: String) -> URL {
        unpacked.appendingPathComponent(scenario).appendingPathComponent(node)
    }

    /// Every manager folder of the four small read fixtures, as (scenario, node).
    public static let readManagers: [(String, String)] = [
        ("single-manager", "manager-1"),
        ("ha-3mgr-snapshot", "manager-1"), ("ha-3mgr-snapshot", "manager-2"), ("ha-3mgr-snapshot", "manager-3"),
        ("autolock-3mgr", "manager-1"), ("autolock-3mgr", "manager-2"), ("autolock-3mgr", "manager-3"),
        ("fips-1mgr", "manager-1"),
    ]

    /// A private, writable copy of a fixture folder (modes preserved).
    public static func copy(_ scenario: String, _ node: String) -> URL {
        let target = FileManager.default.temporaryDirectory
            .appendingPathComponent("swarmsafe-test-\(UUID().uuidString)")
        let status = run("/bin/cp", ["-a", folder(scenario, node).path, target.path])
        precondition(status == 0, "cannot copy fixture \(scenario)/\(node)")
        return target
    }

    public static func expected(_ scenario: String) throws -> [String: Any] {
        try json(sourceDirectory.appendingPathComponent("golden/\(scenario).expected.json"))
    }

    /// swarmkit's own decoder's reading of a manager folder.
    public static func golden(_ scenario: String, _ node: String) throws -> [String: Any] {
        try json(sourceDirectory.appendingPathComponent("golden/\(scenario)-\(node).json"))
    }

    /// The object kinds the golden readings list.
    public static let goldenKinds = ["node", "service", "task", "network", "cluster", "secret", "config"]

    /// `id version` of every object swarmkit's own decoder listed in a manager folder, by kind:
    /// the judge of any folder that must hold the same objects unchanged.
    public static func goldenVersions(_ scenario: String, _ node: String) throws -> [String: Set<String>] {
        let reading = try golden(scenario, node)
        var result: [String: Set<String>] = [:]
        for kind in goldenKinds {
            result[kind] = Set((reading[kind] as? [[String: Any]] ?? []).map { "\($0["id"] ?? "") \($0["meta.version.index"] ?? "")" })
        }
        return result
    }

    public static func unlockKey(_ scenario: String) -> String? {
        (try? expected(scenario))?["unlock_key"] as? String
    }

    private static func json(_ url: URL) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return object as? [String: Any] ?? [:]
    }

    /// Every file under `root` by relative path, with its bytes; with `directories`, every
    /// folder too (as `path/` with no bytes). For proving what a command left on disk.
    public static func tree(_ root: String, directories: Bool = false) throws -> [String: Data] {
        var result: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [:] }
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                if directories { result[relative + "/"] = Data() }
            } else {
                result[relative] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
            }
        }
        return result
    }

    @discardableResult
    public static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        do {
            try process.run()
        } catch {
            return -1
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
