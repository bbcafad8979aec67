import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The machine swarmsafe serves from, for `/info` and `/version`: the docker CLI prints these
/// as the daemon's host.
public struct HostInfo: Sendable {
    public var hostname: String
    public var cpus: Int
    public var memoryBytes: Int64
    public var kernelVersion: String
    /// uname's machine name ("x86_64"), what `/info` reports.
    public var machine: String
    public var operatingSystem: String
    public var serverVersion: String

    public init(
        hostname: String, cpus: Int, memoryBytes: Int64, kernelVersion: String, machine: String,
        operatingSystem: String, serverVersion: String
    ) {
        self.hostname = hostname
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.kernelVersion = kernelVersion
        self.machine = machine
        self.operatingSystem = operatingSystem
        self.serverVersion = serverVersion
    }

    public static func current(serverVersion: String) -> HostInfo {
        var names = utsname()
        uname(&names)
        return HostInfo(
            hostname: ProcessInfo.processInfo.hostName, cpus: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: Int64(clamping: ProcessInfo.processInfo.physicalMemory), kernelVersion: field(names.release),
            machine: field(names.machine), operatingSystem: osRelease() ?? "Linux", serverVersion: serverVersion)
    }

    /// utsname's fields are fixed-size C character arrays, imported as tuples.
    private static func field<T>(_ value: T) -> String {
        withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// Go's GOARCH spelling, what `/version` reports.
    public var goArch: String {
        switch machine {
        case "x86_64": "amd64"
        case "aarch64": "arm64"
        default: machine
        }
    }

    private static func osRelease() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
