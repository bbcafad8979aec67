import Foundation
import SwarmStore
import SwarmTestSupport
import SwiftProtobuf
import Testing

/// A written store read back, in the shape of swarmkit's own reading of a fixture
/// (`Fixtures.goldenObjects`), to compare object by object and field by field with it.
enum GoldenStore {
    static func lines(_ store: ObjectStore?) throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for kind in ObjectKind.allCases where Fixtures.goldenKinds.contains(kind.rawValue) {
            result[kind.rawValue] = Set(try (store?.objects(kind) ?? []).map {
                try Fixtures.goldenLine(kind.rawValue, jsonText: try $0.decoded().message.jsonString())
            })
        }
        return result
    }

    /// A log whose last entry is `index` (a repair, a rewind) judged by swarmkit's own reading of the intact
    /// fixture (`Fixtures.goldenCutProblems`): no object at or after the cut, and every object
    /// it read either exactly as it read it or at an older version. `exactly` counts the objects
    /// that are exactly as it read them, for a floor.
    @discardableResult
    static func expect(_ store: ObjectStore?, cutAt index: UInt64, of golden: [String: Set<String>],
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let got = try lines(store)
        let problems = Fixtures.goldenCutProblems(got, golden: golden, cutAt: index)
        #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
        return Fixtures.goldenKinds.reduce(0) { $0 + (got[$1] ?? []).intersection(golden[$1] ?? []).count }
    }
}
