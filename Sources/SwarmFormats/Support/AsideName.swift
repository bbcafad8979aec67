import Foundation

/// Where swarmsafe keeps what it replaces — a state directory, a node key, a certificate:
/// `<path>.swarmsafe-old-<yyyyMMdd'T'HHmmss'Z'>`, beside it, in UTC.
package enum AsideName {
    package static func of(_ path: String, at time: Date) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return "\(path).swarmsafe-old-\(timestamp(time))"
    }

    /// `of`, with a counter (`.1`, `.2`, …) when that name is taken: the name has second
    /// resolution, two changes (or a killed run and the next) can land within one second, and a
    /// kept file is never overwritten.
    package static func unused(for path: String, at time: Date) -> String {
        let base = of(path, at: time)
        var candidate = base
        var counter = 1
        // A name that cannot be examined ends the search: the link to it then fails, naming it.
        while let entry = try? FileSync.entry(candidate), entry != .missing {
            candidate = "\(base).\(counter)"
            counter += 1
        }
        return candidate
    }

    /// `20261123T154501Z`: also the time in a staging folder's name.
    package static func timestamp(_ time: Date) -> String {
        UTCTime.Parts(milliseconds: UTCTime.milliseconds(time)).compactSeconds
    }
}
