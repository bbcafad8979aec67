import SwarmFormats
import SwarmProto

/// A raft hard state as every `--json` report shows it: the vote as a hex raft ID.
struct HardStateJSON: Encodable {
    let term: UInt64
    let vote: String
    let commit: UInt64

    init(_ state: RaftHardState) {
        term = state.term
        vote = raftIDString(state.vote)
        commit = state.commit
    }
}
