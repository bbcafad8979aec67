import Foundation
import SwarmProto

/// One write to the store: the changes a request makes, checked against the store as it
/// would be after each of them, and proposed as a single raft entry when the body returns —
/// swarmkit's `store.Update` transaction, where either every action lands or none does.
public struct StoreTransaction {
    /// The store with this transaction's changes so far.
    public private(set) var store: ObjectStore
    public private(set) var actions: [SwarmStoreAction] = []
    /// Where each object's create or update action is, so a later change replaces it without
    /// a scan of every action (a node change can update thousands of tasks in one write).
    private var pending: [ObjectKey: Int] = [:]
    /// The commit index the changes are made against: what they carry as their version.
    public let version: UInt64
    let now: Date

    public init(store: ObjectStore, version: UInt64, now: Date) {
        self.store = store
        self.version = version
        self.now = now
    }

    public var isEmpty: Bool { actions.isEmpty }

    /// Decoded object of a kind by ID, as this transaction sees it.
    public func get(_ kind: ObjectKind, id: String) -> StoreObject? {
        try? store.get(kind, id: id)?.decoded()
    }

    @discardableResult
    public mutating func create(_ object: StoreObject) throws -> StoreObject {
        guard !store.contains(object.kind, id: object.id) else {
            throw StoreTransactionError.exists(kind: object.kind.rawValue, id: object.id)
        }
        return try record(.storeActionCreate, object.touched(version: version, now: now))
    }

    @discardableResult
    public mutating func update(_ object: StoreObject) throws -> StoreObject {
        guard store.contains(object.kind, id: object.id) else {
            throw StoreTransactionError.notFound(kind: object.kind.rawValue, id: object.id)
        }
        return try record(.storeActionUpdate, object.touched(version: version, now: now))
    }

    /// Removes an object; the action carries the object as it was, as swarmkit's does.
    public mutating func remove(_ kind: ObjectKind, id: String) throws {
        guard let existing = store.get(kind, id: id) else {
            throw StoreTransactionError.notFound(kind: kind.rawValue, id: id)
        }
        var action = SwarmStoreAction()
        action.action = .storeActionRemove
        action.target = try existing.decoded()
        actions.append(action)
        pending[ObjectKey(kind: kind, id: id)] = nil
        store.remove(kind, id: id)
    }

    private mutating func record(_ kind: SwarmStoreActionKind, _ object: StoreObject) throws -> StoreObject {
        var action = SwarmStoreAction()
        action.action = kind
        action.target = object
        // A later change to an object this transaction already created or updated replaces
        // that action: the entry carries each object once, in its final form, as a swarmkit
        // transaction's changelist does.
        let key = ObjectKey(kind: object.kind, id: object.id)
        if kind == .storeActionUpdate, let earlier = pending[key] {
            actions[earlier].target = object
        } else {
            pending[key] = actions.count
            actions.append(action)
        }
        store.insert(try StoredObject(object))
        return object
    }

    private struct ObjectKey: Hashable {
        let kind: ObjectKind
        let id: String
    }

    public var request: SwarmInternalRaftRequest {
        var request = SwarmInternalRaftRequest()
        // swarmkit numbers requests to match proposals with their callbacks; any value that
        // is not reused while the entry is in flight does, and nothing reads it afterwards.
        request.id = UInt64.random(in: 1...UInt64.max)
        request.action = actions
        return request
    }
}

public enum StoreTransactionError: Error, Sendable, Equatable, CustomStringConvertible {
    case exists(kind: String, id: String)
    case notFound(kind: String, id: String)

    public var description: String {
        switch self {
        case .exists(let kind, let id): "\(kind) \(id) already exists"
        case .notFound(let kind, let id): "\(kind) \(id) not found"
        }
    }
}
