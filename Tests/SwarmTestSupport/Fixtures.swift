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

    /// Every field swarmkit's decoder lists of an object, by kind, as dotted protobuf field
    /// names. It leaves a field out when its value is zero (a worker's role, slot 0), as
    /// protobuf's JSON mapping does.
    public static let goldenFieldNames: [String: [String]] = [
        "node": ["id", "meta.version.index", "role", "spec.desired_role", "spec.membership"],
        "service": ["id", "meta.version.index", "spec.annotations.name"],
        "task": ["id", "meta.version.index", "desired_state", "node_id", "service_id", "slot"],
        "network": ["id", "meta.version.index", "spec.annotations.name"],
        "cluster": ["id", "meta.version.index", "spec.annotations.name"],
        "secret": ["id", "meta.version.index", "spec.annotations.name"],
        "config": ["id", "meta.version.index", "spec.annotations.name"],
    ]

    /// Every object swarmkit's own decoder listed in a manager folder with every field it
    /// listed, by kind, one `goldenLine` each: the judge of a folder that must hold the same
    /// objects, field by field (a node's role and membership, a task's node, service, slot and
    /// desired state, besides IDs, versions and names).
    public static func goldenObjects(_ scenario: String, _ node: String) throws -> [String: Set<String>] {
        let reading = try golden(scenario, node)
        var result: [String: Set<String>] = [:]
        for kind in goldenKinds {
            result[kind] = Set((reading[kind] as? [[String: Any]] ?? []).map { object in
                goldenLine(kind) { object[$0] }
            })
        }
        return result
    }

    /// One object as `goldenObjects` lists it, from its protobuf JSON mapping (lowerCamelCase
    /// names, zero values left out): a line of `swarmsafe dump objects`, or `jsonString()` of
    /// a decoded store object. Read our way, compared field by field with swarmkit's reading.
    public static func goldenLine(_ kind: String, json: [String: Any]) -> String {
        goldenLine(kind) { dotted in
            var value: Any? = json
            for part in dotted.split(separator: ".") {
                let words = part.split(separator: "_")
                let camel = words.prefix(1).joined() + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
                value = (value as? [String: Any])?[camel]
            }
            return value
        }
    }

    /// The same, from one line of JSON text.
    public static func goldenLine(_ kind: String, jsonText: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(jsonText.utf8)) as? [String: Any] ?? [:]
        return goldenLine(kind, json: object)
    }

    /// `name=value` for each field of `goldenFieldNames[kind]` that has a value, space separated.
    static func goldenLine(_ kind: String, _ field: (String) -> Any?) -> String {
        (goldenFieldNames[kind] ?? []).compactMap { name in field(name).map { "\(name)=\($0)" } }.joined(separator: " ")
    }

    /// `lines` (by kind, as `goldenObjects` lists them) without the named fields: what a
    /// command is documented to change (a version it bumps) is left out of a comparison
    /// while the rest of each object is still held to the golden.
    public static func goldenLines(_ lines: [String: Set<String>], without fields: Set<String>) -> [String: Set<String>] {
        lines.mapValues { set in
            Set(set.map { line in
                line.split(separator: " ").filter { !fields.contains(String($0.prefix { $0 != "=" })) }.joined(separator: " ")
            })
        }
    }

    /// The `meta.version.index` of a `goldenLine`.
    public static func goldenVersion(_ line: String) -> UInt64? {
        line.split(separator: " ").first { $0.hasPrefix("meta.version.index=") }
            .flatMap { UInt64($0.dropFirst("meta.version.index=".count)) }
    }

    /// What is wrong with `got` (by kind, as `goldenObjects` lists them) as a state whose log
    /// ends at entry `index` (a repair, a rewind) of the folder swarmkit read as `golden`; empty
    /// when nothing is. swarmkit stamps an object with the commit index at the time it
    /// proposes the change, so the entry that carries it comes later: every object of a log
    /// cut at `index` has a version below `index`. Versions only grow, so an object the golden
    /// lists is in the cut state at its golden version, field for field as swarmkit read it,
    /// or at an older one. (Which older objects a cut keeps the golden cannot say.)
    public static func goldenCutProblems(_ got: [String: Set<String>], golden: [String: Set<String>], cutAt index: UInt64) -> [String] {
        var problems: [String] = []
        for kind in goldenKinds {
            var read: [String: String] = [:]
            for line in golden[kind] ?? [] { read[String(line.prefix { $0 != " " })] = line }
            for line in (got[kind] ?? []).sorted() {
                let version = goldenVersion(line) ?? .max
                if version >= index { problems.append("\(kind) at or after the cut at \(index): \(line)") }
                guard let theirs = read[String(line.prefix { $0 != " " })] else { continue }
                let their = goldenVersion(theirs) ?? 0
                if version > their || (version == their && line != theirs) {
                    problems.append("\(kind) \(line) is not swarmkit's \(theirs) nor older")
                }
            }
        }
        return problems
    }

    /// `got` and swarmkit's reading `golden` (by kind, as `goldenObjects` lists them) with what
    /// a command is documented to change taken out of both, to compare what is left exactly:
    /// `removedNodes`' node objects are gone (`--remove-lost-managers`) and tasks on them keep
    /// everything but their version (their status moves on); `movedNodes` (an address change) and
    /// every object of `rewrittenKinds` (the cluster object a key change or a blacklist
    /// rewrites) keep everything but their version.
    public static func goldenComparable(
        _ got: [String: Set<String>], _ golden: [String: Set<String>], removedNodes: Set<String> = [],
        movedNodes: Set<String> = [], rewrittenKinds: Set<String> = []
    ) -> (got: [String: Set<String>], golden: [String: Set<String>]) {
        let version: Set<String> = ["meta.version.index"]
        func id(_ line: String) -> String { String(line.prefix { $0 != " " }.dropFirst("id=".count)) }
        func onRemoved(_ line: String) -> Bool { removedNodes.contains { line.contains(" node_id=\($0) ") || line.hasSuffix(" node_id=\($0)") } }
        func normalize(_ lines: [String: Set<String>]) -> [String: Set<String>] {
            var result = lines
            for (kind, set) in lines {
                result[kind] = Set(set.map { line -> String in
                    let rewritten = rewrittenKinds.contains(kind) || (kind == "node" && movedNodes.contains(id(line)))
                        || (kind == "task" && onRemoved(line))
                    return rewritten ? goldenLines([kind: [line]], without: version)[kind]?.first ?? line : line
                })
            }
            return result
        }
        var want = golden
        want["node"] = want["node"]?.filter { !removedNodes.contains(id($0)) }
        return (normalize(got), normalize(want))
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
