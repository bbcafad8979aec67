/// Raft IDs are random 64-bit numbers; swarmkit's tools print them in hex, so do we.
public func raftIDString(_ id: UInt64) -> String { String(id, radix: 16) }
