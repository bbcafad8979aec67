import Foundation

/// Where swarmsafe keeps what it replaces — a state directory, a node key, a certificate:
/// `<path>.swarmsafe-old-<yyyyMMdd'T'HHmmss'Z'>`, beside it, in UTC.
package enum AsideName {
    package static func of(_ path: String, at time: Date) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return "\(path).swarmsafe-old-\(timestamp(time))"
    }

    /// `20261123T154501Z`: also the time in a staging folder's name.
    package static func timestamp(_ time: Date) -> String {
        UTCTime.Parts(milliseconds: UTCTime.milliseconds(time)).compactSeconds
    }
}
