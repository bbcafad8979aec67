import Foundation
import SwarmFuzzTargets

/// The committed seed corpus, `Fuzz/Seeds/<target>/`: made from the fixtures by
/// `swarmsafe-fuzz seeds`, each one accepted by its target.
enum FuzzInputs {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func seeds(_ target: FuzzTarget) -> [(String, Data)] {
        let folder = root.appendingPathComponent("Seeds").appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { (name, $0) }
        }
    }
}

/// libFuzzer's simplest mutations, driven by a seeded generator so a failure is the same
/// input on every run: flipped bits, overwritten and inserted bytes, cuts, duplicated spans.
struct SeededMutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    mutating func mutate(_ input: Data) -> Data {
        var bytes = [UInt8](input)
        for _ in 0...below(4) {
            let at = below(bytes.count)
            switch below(6) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: next())
            case 2: bytes.insert(UInt8(truncatingIfNeeded: next()), at: at)
            case 3 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(64)))
            case 4 where !bytes.isEmpty: bytes.removeSubrange(at...)
            case 5 where !bytes.isEmpty:
                let span = bytes[at..<min(bytes.count, at + 1 + below(32))]
                bytes.insert(contentsOf: span, at: below(bytes.count))
            default: bytes.append(UInt8(truncatingIfNeeded: next()))
            }
        }
        return Data(bytes)
    }
}
