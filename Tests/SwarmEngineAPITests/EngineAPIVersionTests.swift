import SwarmEngineAPI
import Testing

@Test func servedVersionIsNotBelowTheMinimum() {
    let parse = { (s: String) in s.split(separator: ".").compactMap { Int($0) } }
    #expect(parse(EngineAPIVersion.current).lexicographicallyPrecedes(parse(EngineAPIVersion.minimum)) == false)
}
