import Foundation
import SwarmFormats
import SwarmConventions
import SwarmNode
import SwarmProto
import SwarmStore

/// What swarmkit's `--force-new-cluster` start would do to one manager's log (FORMAT.md §7),
/// worked out without changing anything: the uncommitted entries it drops, the voters it finds,
/// and the conf changes it appends to leave this node the only member; plus what the options
/// add: an `UpdateNode` conf change and node update for a new address, and the removal of the
/// lost managers' node objects. A new address for this manager is not a conf change: swarmkit
/// ignores an `UpdateNode` for itself, so the address goes into a new snapshot (see
/// `rebuildsSnapshot`).
public struct ForceNewClusterPlan: Sendable {
    /// A new address for this manager and every place it is recorded.
    public struct AddressChange: Sendable, Equatable {
        /// The raft member's address before (`ip:port`).
        public let from: String?
        public let to: String
        /// `--listen-addr`, when given.
        public let listen: RequestedAddress?
        /// The member record changes, which only a new snapshot can carry; false when only the
        /// node object or the files next to the log still have the old address.
        public let updatesMember: Bool
        /// The node object's addresses change (a store update).
        public let updatesNode: Bool
    }

    public struct Member: Sendable, Equatable {
        public let raftID: UInt64
        public let nodeID: String?
        public let addr: String?
    }

    public let selfRaftID: UInt64
    public let selfNodeID: String?
    /// This node's raft address as its member record has it.
    public let selfAddr: String?
    /// The hard state as found.
    public let hardState: RaftHardState
    public let lastIndex: UInt64
    /// Voters after the committed log: the snapshot's conf state, then every committed conf
    /// change after it. Sorted, as swarmkit's `getIDs` sorts them.
    public let voters: [UInt64]
    /// Every voter but this node, in the order their `RemoveNode` entries are appended.
    public let removed: [Member]
    /// This node is not a voter and must add itself (swarmkit appends an `AddNode` then).
    public let addsSelf: Bool
    public let addressChange: AddressChange?
    /// Node objects removed with `--remove-lost-managers`.
    public let lostManagers: [LostManager]
    /// The replayed store the node changes are made against.
    let store: ObjectStore

    /// Entries after the commit index: raft never acknowledged them to a client, and
    /// swarmkit drops them before appending.
    public var droppedEntries: UInt64 { lastIndex > hardState.commit ? lastIndex - hardState.commit : 0 }

    /// Nothing to do: this node is already the only voter and the log holds nothing
    /// uncommitted.
    public var isNoOp: Bool {
        removed.isEmpty && !addsSelf && droppedEntries == 0 && addressChange == nil && lostManagers.isEmpty
    }

    /// The raft folder is rebuilt as one snapshot at the new commit index whose membership
    /// carries the new address, and a log that starts after it: the only way swarmkit takes
    /// a new address for itself (FORMAT.md §7).
    public var rebuildsSnapshot: Bool { addressChange?.updatesMember == true }

    /// The store changes ride in one normal entry after the conf changes.
    public var hasStoreChanges: Bool { addressChange?.updatesNode == true || !lostManagers.isEmpty }

    /// How many conf changes the plan appends: one per removed member, one to add this node.
    public var confChangeCount: Int { removed.count + (addsSelf ? 1 : 0) }

    /// The conf changes, at commit+1, commit+2, … in the term of the hard state, exactly as
    /// swarmkit builds them (ID 0; `AddNode` carries a RaftMember with only the raft ID).
    public func confChanges() throws -> [(index: UInt64, change: RaftConfChange)] {
        var result: [(UInt64, RaftConfChange)] = []
        var next = hardState.commit + 1
        for member in removed {
            var change = RaftConfChange()
            change.id = 0
            change.type = .confChangeRemoveNode
            change.nodeID = member.raftID
            result.append((next, change))
            next += 1
        }
        if addsSelf {
            var change = RaftConfChange()
            change.id = 0
            change.type = .confChangeAddNode
            change.nodeID = selfRaftID
            var member = SwarmRaftMember()
            member.raftID = selfRaftID
            change.context = try member.serializedBytes()
            result.append((next, change))
            next += 1
        }
        return result
    }

    /// The hard state to leave on disk: what the recovered node would have written once it
    /// committed its own conf changes, so that a manager started *without* the flag applies
    /// them and is alone. The vote is kept only if it was for this node: any other voter is gone.
    public var newHardState: RaftHardState {
        var state = RaftHardState()
        state.term = hardState.term
        state.vote = hardState.vote == selfRaftID ? selfRaftID : 0
        state.commit = hardState.commit + UInt64(confChangeCount) + (hasStoreChanges ? 1 : 0)
        return state
    }

    /// The store changes, as the request of the normal entry after the conf changes; nil when
    /// there are none. Stamped with the commit index they are made at, as swarmkit stamps them.
    public func storeRequest(now: Date) throws -> SwarmInternalRaftRequest? {
        guard hasStoreChanges else { return nil }
        var transaction = StoreTransaction(
            store: store, version: hardState.commit + UInt64(confChangeCount), now: now)
        if let addressChange, addressChange.updatesNode, let selfNodeID,
            case .node(var node)? = transaction.get(.node, id: selfNodeID)
        {
            let address = try AdvertiseAddress(parsing: addressChange.to)
            node.status.addr = address.ip
            if node.hasManagerStatus { node.managerStatus.addr = address.hostPort }
            try transaction.update(.node(node))
        }
        try LostManagerRemoval.apply(lostManagers, to: &transaction, now: now)
        return transaction.request
    }

    public init(_ node: LoadedNode, options: ForceNewClusterOptions = ForceNewClusterOptions()) throws {
        guard let log = node.raft else { throw StateDirectoryError.worker(path: node.directory.path) }
        guard let local = node.localMember else { throw RecoveryError.noLocalMember(path: node.directory.path) }
        selfRaftID = local.raftID
        let selfNodeID = node.certificates?.node.nodeID ?? local.nodeID
        self.selfNodeID = selfNodeID
        // The member record is newer than the WAL metadata when the address changed before.
        let recorded = node.cluster?.membership.member(local.raftID)?.addr ?? local.addr
        selfAddr = recorded.isEmpty ? nil : recorded
        hardState = log.hardState
        lastIndex = log.lastIndex
        var voters = Set(log.snapshot?.snapshot.metadata.confState.voters ?? [])
        var known: [UInt64: SwarmRaftMember] = [:]
        for member in node.cluster?.membership.members ?? [] { known[member.raftID] = member }
        let commit = log.hardState.commit
        if commit > log.snapshotIndex {
            try log.forEachEntry(in: (log.snapshotIndex + 1)...commit) { entry in
                guard entry.type == .entryConfChange else { return }
                let change: RaftConfChange
                do {
                    change = try RaftConfChange(serializedBytes: entry.payload)
                } catch {
                    throw RecoveryError.undecodableConfChange(index: entry.index, reason: "\(error)")
                }
                switch change.type {
                case .confChangeAddNode: voters.insert(change.nodeID)
                case .confChangeRemoveNode: voters.remove(change.nodeID)
                default: break
                }
                if change.hasContext, let member = try? SwarmRaftMember(serializedBytes: change.context), member.raftID != 0 {
                    known[member.raftID] = member
                }
            }
        }
        self.voters = voters.sorted()
        removed = voters.sorted().filter { $0 != local.raftID }.map {
            Member(raftID: $0, nodeID: known[$0]?.nodeID, addr: known[$0]?.addr)
        }
        addsSelf = !voters.contains(local.raftID)
        store = node.cluster?.store ?? ObjectStore()
        addressChange = try Self.addressChange(node, options: options, selfAddr: selfAddr, selfNodeID: selfNodeID, store: store)
        lostManagers = options.removeLostManagers
            ? try LostManagerRemoval.find(store: store, voters: [selfNodeID], selfNodeID: selfNodeID) : []
    }

    private static func addressChange(
        _ node: LoadedNode, options: ForceNewClusterOptions, selfAddr: String?, selfNodeID: String, store: ObjectStore
    ) throws -> AddressChange? {
        guard let requested = options.advertiseAddress else { return nil }
        let target = try requested.resolved(current: selfAddr).hostPort
        let updatesMember = selfAddr != target
        var updatesNode = false
        if case .node(let object)? = try store.get(.node, id: selfNodeID)?.decoded() {
            let ip = try AdvertiseAddress(parsing: target).ip
            updatesNode = object.status.addr != ip || (object.hasManagerStatus && object.managerStatus.addr != target)
        }
        let filesStale = node.knownManagers.contains { $0.nodeID == selfNodeID && $0.addr != target }
            || AddressFiles.dockerStateNeedsUpdate(node.dockerState, advertise: target, listen: options.listenAddress)
        guard updatesMember || updatesNode || filesStale else { return nil }
        return AddressChange(
            from: selfAddr, to: target, listen: options.listenAddress, updatesMember: updatesMember, updatesNode: updatesNode)
    }
}
