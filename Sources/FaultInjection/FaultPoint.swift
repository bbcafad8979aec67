#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
#if DEBUG
import Synchronization
#endif

/// Named places where a crash test may kill the process, so a test can prove what a kill at
/// exactly that step leaves behind (a kill by time may land anywhere, or nowhere).
///
/// `SWARMSAFE_KILL_AT=NAME` kills the process with SIGKILL the first time it passes NAME;
/// `SWARMSAFE_KILL_AT=NAME:N` when it passes NAME with index N. Debug builds only: a release
/// build compiles every call to nothing, so no environment can crash a production run.
///
/// Besides the named points, every change a command makes to the file system (a file or folder
/// created, bytes written, an fsync, a rename, an unlink) is a numbered *step*:
/// `SWARMSAFE_KILL_AT=step:N` kills the process just before its Nth step, and
/// `SWARMSAFE_STEP_LOG=FILE` appends one line per step (`N operation path`) so a test can learn
/// how many steps a run takes and kill it before each one.
public enum FaultPoint {
    public static let environmentVariable = "SWARMSAFE_KILL_AT"
    public static let stepLogVariable = "SWARMSAFE_STEP_LOG"

    @inline(__always)
    public static func reached(_ name: StaticString, index: Int? = nil) {
        #if DEBUG
        guard let wanted = StepPlan.current.killAt else { return }
        let here = "\(name)"
        if wanted == here || (index.map { wanted == "\(here):\($0)" } ?? false) {
            kill(getpid(), SIGKILL)
        }
        #endif
    }

    /// A change to the file system is about to be made: `operation` on `path`.
    @inline(__always)
    public static func step(_ operation: StaticString, _ path: @autoclosure () -> String) {
        #if DEBUG
        let plan = StepPlan.current
        guard plan.isActive else { return }
        let number = plan.next()
        if let log = plan.logDescriptor {
            let line = Array("\(number) \(operation) \(path())\n".utf8)
            _ = line.withUnsafeBytes { write(log, $0.baseAddress, $0.count) }
        }
        reached("step", index: number)
        #endif
    }
}

#if DEBUG
/// What the environment asked of this process, read once. The step counter is process-wide
/// state on purpose: steps are numbered across every module and thread of one run, and only
/// debug builds, under a crash test's environment, ever count them.
final class StepPlan: Sendable {
    static let current = StepPlan()

    let killAt: String?
    let logDescriptor: Int32?
    private let counter = Mutex(0)

    var isActive: Bool { logDescriptor != nil || killAt?.hasPrefix("step:") == true }

    private init() {
        killAt = getenv(FaultPoint.environmentVariable).map { String(cString: $0) }
        if let raw = getenv(FaultPoint.stepLogVariable) {
            let fd = open(raw, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            logDescriptor = fd >= 0 ? fd : nil
        } else {
            logDescriptor = nil
        }
    }

    func next() -> Int {
        counter.withLock { count in
            count += 1
            return count
        }
    }
}
#endif
