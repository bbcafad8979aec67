#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Named places where a crash test may kill the process, so a test can prove what a kill at
/// exactly that step leaves behind (a kill by time may land anywhere, or nowhere).
///
/// `SWARMSAFE_KILL_AT=NAME` kills the process with SIGKILL the first time it passes NAME;
/// `SWARMSAFE_KILL_AT=NAME:N` when it passes NAME with index N. Debug builds only: a release
/// build compiles every call to nothing, so no environment can crash a production run.
public enum FaultPoint {
    public static let environmentVariable = "SWARMSAFE_KILL_AT"

    @inline(__always)
    public static func reached(_ name: StaticString, index: Int? = nil) {
        #if DEBUG
        guard let raw = getenv(environmentVariable) else { return }
        let wanted = String(cString: raw)
        let here = "\(name)"
        if wanted == here || (index.map { wanted == "\(here):\($0)" } ?? false) {
            kill(getpid(), SIGKILL)
        }
        #endif
    }
}
