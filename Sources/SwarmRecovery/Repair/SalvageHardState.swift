import SwarmProto

/// The hard state that goes with a salvaged log (FORMAT.md §8): raft refuses to start when
/// the commit lies outside [snapshot index, last index] or an entry's term exceeds the
/// stored term.
enum SalvageHardState {
    static func make(
        old: RaftHardState, snapshotIndex: UInt64, snapshotTerm: UInt64, lastIndex: UInt64, maxEntryTerm: UInt64,
        members: Set<UInt64>
    ) -> RaftHardState {
        var state = RaftHardState()
        state.term = max(old.term, maxEntryTerm, snapshotTerm)
        // Whatever was committed before stays committed; a commit past the kept log names
        // entries that are gone.
        state.commit = max(min(old.commit, lastIndex), snapshotIndex)
        // A vote holds for one term only, and only for a member.
        let keepVote = state.term == old.term && (old.vote == 0 || members.contains(old.vote))
        state.vote = keepVote ? old.vote : 0
        return state
    }

    /// Why `old` had to change, for the report; nil when it did not.
    static func reasons(old: RaftHardState, new: RaftHardState, lastIndex: UInt64, snapshotIndex: UInt64) -> String? {
        var reasons: [String] = []
        if old.commit > lastIndex { reasons.append("commit \(old.commit) is past the last index \(lastIndex)") }
        if old.commit < snapshotIndex { reasons.append("commit \(old.commit) is before the snapshot index \(snapshotIndex)") }
        if new.term != old.term { reasons.append("term \(old.term) is below an entry's or the snapshot's term \(new.term)") }
        if new.term == old.term && new.vote != old.vote { reasons.append("vote \(String(old.vote, radix: 16)) is not a member") }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }
}
