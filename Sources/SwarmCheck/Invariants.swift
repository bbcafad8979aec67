import Foundation
import SwarmBackup
import SwarmFormats
import SwarmConventions
import SwarmManager
import SwarmNode
import SwarmProto
import SwarmStore

/// The invariants a manager that boots this state relies on, checked on the booted view.
enum Invariants {
    /// The items in order, and the references swarmkit cleans up itself (information only).
    static func check(
        _ view: ManagerView, node: LoadedNode, now: Date, expectedAddress: String? = nil
    ) throws -> (items: [CheckReport.Item], information: [String]) {
        var items: [CheckReport.Item] = []
        var information: [String] = []
        func add(_ name: String, _ ok: Bool, _ detail: String) {
            items.append(CheckReport.Item(name: name, ok: ok, detail: detail))
        }

        let references = try ReferenceCheck.check(view.store)
        let findings = references.findings
        add("references", findings.isEmpty,
            findings.isEmpty
                ? "every service's secrets, configs and networks exist"
                    + (references.information.isEmpty ? ", every task's service and node too" : "; tasks of removed services or nodes are left to swarmkit's cleanup")
                : findings.prefix(5).joined(separator: "; ") + (findings.count > 5 ? " (+\(findings.count - 5) more)" : ""))

        let members = view.membership.members
        let leaderIsMember = members.contains { $0.raftID == view.leaderRaftID }
        add("leader", members.count == 1 && leaderIsMember,
            "\(members.count) member(s); leader \(raftIDString(view.leaderRaftID))\(leaderIsMember ? " is" : " is not") one of them")

        let badAddresses = members.filter { (try? AdvertiseAddress(parsing: $0.addr)) == nil }
        add("member addresses", badAddresses.isEmpty,
            badAddresses.isEmpty ? members.map { "\(raftIDString($0.raftID)) at \($0.addr)" }.joined(separator: ", ")
                : badAddresses.map { "\(raftIDString($0.raftID)) has no usable address (\($0.addr.isEmpty ? "empty" : $0.addr))" }.joined(separator: "; "))

        let own = members.first { $0.raftID == node.localMember?.raftID }?.addr
        if let (ok, detail, note) = ownAddress(own, expected: expectedAddress, docker: node.dockerState?["AdvertiseAddr"]) {
            add("own address", ok, detail)
            if let note { information.append(note) }
        }

        if let certificates = node.certificates {
            let valid = certificates.node.isValid(at: now)
            add("node certificate", valid && certificates.chainsToRoot,
                "\(certificates.node.nodeID) valid until \(ISO8601DateFormatter().string(from: certificates.node.notAfter))"
                    + (valid ? "" : " (expired or not yet valid: swarmsafe certs renew)")
                    + (certificates.chainsToRoot ? "" : "; does not chain to the root CA"))
            let clusterRoot = view.cluster?.rootCa.caCert ?? Data()
            let clusterDigests = Set((try? PEMBlock.parseAll(clusterRoot))?.map { CertificateFingerprint.sha256Hex($0.bytes) } ?? [])
            let fileDigests = Set(certificates.roots.map(\.sha256))
            add("root CA", !clusterDigests.isDisjoint(with: fileDigests),
                clusterDigests.isDisjoint(with: fileDigests)
                    ? "swarm-root-ca.crt is not the cluster object's root CA" : "swarm-root-ca.crt is the cluster's root CA")
        } else {
            add("node certificate", false, "no readable node certificate")
        }

        let autolock = view.cluster?.spec.encryptionConfig.autoLockManagers ?? false
        let locked = node.keys?.isLocked ?? false
        add("unlock", autolock == locked,
            autolock == locked
                ? (locked ? "autolocked; the unlock key opens the node key" : "not autolocked")
                : "the cluster says autolock is \(autolock ? "on" : "off") but the node key is \(locked ? "encrypted" : "in the clear")")
        return (items, references.information + information)
    }

    /// swarmkit takes a manager's own address from the raft membership alone (an offline
    /// `UpdateNode` for itself is ignored), so that is the address Docker will show and
    /// print in join commands. It must be the one the operator asked for, and docker-state.json
    /// (what dockerd passes as the advertise address) must agree with it after such a move;
    /// without a request a disagreement is only reported, as a real daemon's folder may
    /// carry one harmlessly (an interface name resolved differently).
    static func ownAddress(_ own: String?, expected: String?, docker: String?) -> (Bool, String, String?)? {
        guard let own else {
            return expected.map { (false, "this manager is not a raft member, so it cannot be at \($0)", nil) }
        }
        if let expected, own != expected {
            return (false, "the raft membership has this manager at \(own), not \(expected): Docker would advertise \(own)", nil)
        }
        guard let docker, docker != own else {
            return (true, "\(own) (raft membership\(docker == nil ? "" : " and docker-state.json"))", nil)
        }
        let disagreement = "docker-state.json advertises \(docker) but the raft membership has this manager at \(own), which Docker shows"
        if expected != nil { return (false, disagreement, nil) }
        return (true, "\(own) (raft membership)", disagreement)
    }
}
