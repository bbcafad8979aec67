import Foundation
import SwarmInspection
import SwarmStore
import SwarmTestSupport

/// A captured or restored store read back, in the shape of swarmkit's own reading of a
/// fixture (`Fixtures.goldenObjects`), to compare object by object and field by field with it.
enum GoldenStore {
    static let json = ObjectJSON(redaction: Redaction(reveal: false))

    static func lines(_ store: ObjectStore?) throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for kind in ObjectKind.allCases where Fixtures.goldenKinds.contains(kind.rawValue) {
            result[kind.rawValue] = Set(try (store?.objects(kind) ?? []).map {
                try Fixtures.goldenLine(kind.rawValue, jsonText: try json.line(try $0.decoded()))
            })
        }
        return result
    }
}
