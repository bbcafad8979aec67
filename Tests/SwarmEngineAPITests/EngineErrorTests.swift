import Foundation
import SwarmEngineAPI
import SwarmFormats
import SwarmManager
import SwarmStore
import Testing

@Suite struct EngineErrorTests {
    @Test func lockedIs503WithDockersExactMessage() {
        let error = EngineError(mapping: ManagerError.locked)
        #expect(error.status == .serviceUnavailable)
        #expect(
            error.message
                == "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it.")
    }

    @Test func readOnlyIsForbidden() {
        let error = EngineError(mapping: ManagerError.readOnly)
        #expect(error.status == .forbidden)
        #expect(error.message.contains("read-only"))
    }

    @Test func missingAndDuplicateObjects() {
        #expect(EngineError(mapping: StoreTransactionError.notFound(kind: "service", id: "web")) == EngineError(.notFound, "service web not found"))
        #expect(EngineError(mapping: StoreTransactionError.exists(kind: "secret", id: "x")).status == .conflict)
        #expect(EngineError.notFound("node", "nosuch").message == "node nosuch not found")
        #expect(EngineError.nameConflict("secret", "pw").status == .conflict)
    }

    @Test func wrongUnlockKeyIsUnauthorizedAsDockerSays() {
        let error = EngineError(mapping: KeyMaterialError.wrongUnlockKey(file: "swarm-node.key"))
        #expect(error == EngineError(.unauthorized, "swarm could not be unlocked: invalid key provided"))
    }

    @Test func badSpecsAndBadJSONAreBadRequests() {
        #expect(EngineError(mapping: SpecConversionError.multipleModes).status == .badRequest)
        let decoding = Result { try JSONDecoder().decode([String: Int].self, from: Data("[".utf8)) }
        guard case .failure(let failure) = decoding else {
            Issue.record("decoding did not fail")
            return
        }
        let error = EngineError(mapping: failure)
        #expect(error.status == .badRequest)
        #expect(error.message.hasPrefix("invalid JSON"))
    }

    @Test func staleUpdatesSayUpdateOutOfSequence() {
        #expect(EngineError.outOfSequence.status == .internalServerError)
        #expect(EngineError.outOfSequence.message.hasSuffix("update out of sequence"))
    }

    @Test func unknownErrorsAreServerErrors() {
        struct Odd: Error {}
        #expect(EngineError(mapping: Odd()).status == .internalServerError)
    }
}
