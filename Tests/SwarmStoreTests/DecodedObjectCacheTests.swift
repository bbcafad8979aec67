import Foundation
import SwarmProto
import SwarmStore
import SwarmTestSupport
import SwiftProtobuf
import Testing

@Suite struct DecodedObjectCacheTests {
    static func labels(_ objects: [StoreObject]) -> [String] {
        objects.map { object in
            guard case .secret(let secret) = object else { return "?" }
            return "\(secret.id)=\(secret.spec.annotations.labels["step"] ?? "")"
        }
    }

    @Test("an object changed at the same version and size is decoded again; a removed one is gone")
    func followsTheBytesNotTheVersion() throws {
        let cache = DecodedObjectCache()
        var store = ObjectStore()
        store.insert(try StoredObject(StoreTransactionTests.secret("a", label: "one")))
        store.insert(try StoredObject(StoreTransactionTests.secret("b", label: "one")))
        #expect(Self.labels(try cache.objects(.secret, in: store)) == ["a=one", "b=one"])
        // Same ID, same version (0), same size: what a transaction does to an object it
        // created a moment before.
        store.insert(try StoredObject(StoreTransactionTests.secret("a", label: "two")))
        store.remove(.secret, id: "b")
        #expect(Self.labels(try cache.objects(.secret, in: store)) == ["a=two"])
    }

    @Test("a whole real store reads the same through the cache, the first time and the next")
    func agreesWithTheStore() throws {
        let store = try ReplayTests.replay("ha-3mgr-snapshot", "manager-1").1.store
        let cache = DecodedObjectCache()
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        func bytes(_ objects: [StoreObject]) throws -> [Data] { try objects.map { try $0.message.serializedBytes(options: options) } }
        for kind in [ObjectKind.task, .service, .node, .network] {
            let direct = try bytes(store.decodedObjects(kind))
            #expect(!direct.isEmpty)
            for _ in 0..<2 { #expect(try bytes(cache.objects(kind, in: store)) == direct) }
        }
    }
}
