import Foundation
@testable import SwarmFormats
import Testing

/// The one rule every sweep of killed runs' leftovers uses (init's staging folders, backup's
/// working copies, replaced files' temporaries): a name of the kind, whose pid is gone.
@Suite struct ProcessLivenessTests {
    @Test("only names of the kind whose process is gone are leftovers; live, foreign and malformed ones are not")
    func abandonedLeftovers() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("swarmsafe-liveness-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let dead = process.processIdentifier
        let prefix = ".swarm.swarmsafe-creating-"
        let names = [
            "\(prefix)\(dead)-1a2b3c4d",  // a killed run's folder
            "\(prefix)\(dead)",  // a killed run's file, no suffix
            "\(prefix)\(getpid())-1a2b3c4d",  // a live run's
            "\(prefix)0-1a2b3c4d",  // no such pid can be a run of ours
            "\(prefix)x\(dead)",  // not a pid
            ".other.swarmsafe-creating-\(dead)-1a2b3c4d",  // another target's
        ]
        for name in names { FileManager.default.createFile(atPath: parent + "/" + name, contents: Data()) }
        #expect(ProcessLiveness.abandoned(in: parent, prefix: prefix) == [names[1], names[0]].sorted().map { parent + "/" + $0 })
        #expect(ProcessLiveness.abandoned(in: parent + "/missing", prefix: prefix).isEmpty)
    }
}
