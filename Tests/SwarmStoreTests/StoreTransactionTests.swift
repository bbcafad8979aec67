import Foundation
import SwarmProto
import SwarmStore
import Testing

/// A transaction's entry carries each object once, in its final form: the embedded manager's
/// orchestrator creates a task and the allocation pass then changes it in the same write.
@Suite struct StoreTransactionTests {
    static func secret(_ id: String, label: String) -> StoreObject {
        var secret = SwarmSecret()
        secret.id = id
        secret.spec.annotations.name = "s-\(id)"
        secret.spec.annotations.labels = ["step": label]
        secret.spec.data = Data("x".utf8)
        return .secret(secret)
    }

    static func label(_ action: SwarmStoreAction) -> String? {
        if case .secret(let secret)? = action.target { return secret.spec.annotations.labels["step"] }
        return nil
    }

    @Test func laterChangesReplaceTheEarlierActionOfTheSameObject() throws {
        var transaction = StoreTransaction(store: ObjectStore(), version: 7, now: Date(timeIntervalSince1970: 1_800_000_000))
        try transaction.create(Self.secret("a", label: "created"))
        try transaction.update(Self.secret("a", label: "allocated"))
        try transaction.create(Self.secret("b", label: "created"))
        try transaction.update(Self.secret("b", label: "first"))
        try transaction.update(Self.secret("b", label: "second"))
        #expect(transaction.actions.map(\.action) == [.storeActionCreate, .storeActionCreate])
        #expect(transaction.actions.map(Self.label) == ["allocated", "second"])
        // The store holds what the actions say.
        guard case .secret(let stored)? = transaction.get(.secret, id: "b") else { Issue.record("b missing"); return }
        #expect(stored.spec.annotations.labels["step"] == "second")

        // A removal stays its own action; an object made again after it is a new create.
        try transaction.remove(.secret, id: "a")
        try transaction.create(Self.secret("a", label: "again"))
        try transaction.update(Self.secret("a", label: "again-updated"))
        #expect(transaction.actions.map(\.action) == [.storeActionCreate, .storeActionCreate, .storeActionRemove, .storeActionCreate])
        #expect(transaction.actions.last.flatMap(Self.label) == "again-updated")
    }
}
