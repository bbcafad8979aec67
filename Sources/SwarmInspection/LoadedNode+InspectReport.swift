import Foundation
import SwarmFormats
import SwarmNode
import SwarmStore

extension LoadedNode {
    public func inspectReport() -> InspectReport {
        let isManager = directory.isManager
        var raftSection: InspectReport.Raft?
        var objects: [String: Int]?
        if let log = raft {
            let members = cluster?.membership.members ?? []
            raftSection = InspectReport.Raft(
                term: log.hardState.term, vote: raftIDString(log.hardState.vote), commit: log.hardState.commit,
                lastIndex: log.lastIndex, lastTerm: log.lastTerm, snapshotIndex: log.snapshotIndex,
                snapshotTerm: log.snapshotTerm, raftID: localMember.map { raftIDString($0.raftID) },
                members: members.map(InspectReport.Member.init),
                removed: (cluster?.membership.removed ?? []).map(raftIDString),
                layout: log.layout.rawValue, walSegments: log.wal.segments.map(\.fileName),
                snapshotFile: log.snapshot?.name.fileName)
        }
        if let store = cluster?.store {
            objects = Dictionary(uniqueKeysWithValues: ObjectKind.allCases.map { ($0.plural, store.count($0)) })
        }
        let clusterObject = cluster?.store.objects(.cluster).first
        let algorithm: String =
            switch raftAlgorithm {
            case .secretboxSalsa20Poly1305?: "secretbox"
            case .fernetAes128Cbc?: "fernet"
            case .none?: "none"
            default: isManager ? "unknown" : "none"
            }
        return InspectReport(
            stateDir: directory.path,
            clusterID: certificates?.node.clusterID ?? clusterObject?.id,
            nodeID: certificates?.node.nodeID ?? localMember?.nodeID,
            role: certificates.map { "\($0.node.role)" } ?? (isManager ? "manager" : "worker"),
            raft: raftSection,
            objects: objects,
            encryption: InspectReport.Encryption(
                algorithm: algorithm, locked: keys?.isLocked ?? false, pendingDEK: keys?.pendingDEK != nil,
                needsRotation: keys?.needsRotation ?? false, kekVersion: keys?.kekVersion),
            certificate: certificates.map {
                InspectReport.Certificate(
                    nodeID: $0.node.nodeID, role: "\($0.node.role)", clusterID: $0.node.clusterID,
                    notBefore: $0.node.notBefore, notAfter: $0.node.notAfter,
                    rootCASHA256: $0.root?.sha256 ?? "", issuer: $0.node.issuer,
                    chainsToRoot: $0.chainsToRoot)
            },
            knownManagers: knownManagers,
            dockerState: dockerState?.object,
            warnings: warnings)
    }
}
