import Foundation
import SwarmFuzzTargets
import Testing

/// The fuzz entries in the ordinary suite, without sanitizers: every seed is accepted (so each
/// entry reaches its decoder) and a fixed batch of mutations per target runs through the
/// entries' own invariants. A crash here fails the run. An input libFuzzer finds a crash with
/// goes, minimised, to `Fuzz/Regressions/<target>/` with a test of its own beside these.
/// Long runs under libFuzzer: `scripts/fuzz.sh` (README.md, "Fuzzing").
@Suite struct FuzzCorpusTests {
    /// Mutations per target: a few seconds for all targets in a debug build.
    static let mutations = 500

    @Test(arguments: FuzzTarget.allCases)
    func everySeedIsAccepted(_ target: FuzzTarget) {
        let seeds = FuzzInputs.seeds(target)
        #expect(seeds.count >= 2, "Fuzz/Seeds/\(target.rawValue) holds \(seeds.count) seeds")
        for (name, data) in seeds {
            let outcome = target.run(data)
            #expect(outcome.isAccepted, "\(target.rawValue)/\(name): \(outcome)")
        }
    }

    /// Damage must be told from data: most mutants of real files are refused, and the run
    /// reaches the invariants inside the entries for the ones that are not.
    @Test(arguments: FuzzTarget.allCases)
    func seededMutationsAreHandled(_ target: FuzzTarget) {
        let seeds = FuzzInputs.seeds(target).map(\.1)
        guard !seeds.isEmpty else {
            Issue.record("no seeds for \(target.rawValue)")
            return
        }
        var mutator = SeededMutator(seed: 0x5EED_0000 &+ UInt64(target.rawValue.utf8.count))
        var rejected = 0
        for _ in 0..<Self.mutations {
            let seed = seeds[mutator.below(seeds.count)]
            if !target.run(mutator.mutate(seed)).isAccepted { rejected += 1 }
        }
        #expect(rejected > 0, "\(target.rawValue): none of \(Self.mutations) mutants was refused")
    }
}
