import Foundation
import SwarmBackup
import SwarmHistory
import SwarmInit
import SwarmInspection

/// The one way swarmsafe prints a report as JSON: stable key order, ISO 8601 dates, so
/// scripts and tests can rely on the shape and diff two runs.
public protocol ReportJSON: Encodable {}

extension ReportJSON {
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

// The libraries' reports print the same way; the protocol is the CLI's, as printing is.
extension InitReport: ReportJSON {}
extension InspectReport: ReportJSON {}
extension SnapshotReport: ReportJSON {}
extension DiffReport: ReportJSON {}
extension VerifyReport: ReportJSON {}
