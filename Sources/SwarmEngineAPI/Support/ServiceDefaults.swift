import SwarmProto
import SwiftProtobuf

/// `insertDefaults=true`: the spec with every field swarmkit leaves to its defaults written
/// out, so `service inspect` shows what the orchestrator will actually do.
enum ServiceDefaults {
    static let stopGracePeriodSeconds: Int64 = 10
    static let restartDelaySeconds: Int64 = 5
    static let updateMonitorSeconds: Int64 = 5

    static func interpolate(_ original: SwarmServiceSpec) -> SwarmServiceSpec {
        var spec = original
        if case .container(var container)? = spec.task.runtime {
            if !container.hasStopGracePeriod { container.stopGracePeriod = seconds(stopGracePeriodSeconds) }
            if !container.hasPullOptions { container.pullOptions = .init() }
            if !container.hasDnsConfig { container.dnsConfig = .init() }
            spec.task.runtime = .container(container)
        }
        if !spec.task.hasResources { spec.task.resources = .init() }
        if !spec.task.hasRestart {
            var restart = SwarmRestartPolicy()
            restart.condition = .any
            restart.delay = seconds(restartDelaySeconds)
            spec.task.restart = restart
        } else if !spec.task.restart.hasDelay {
            spec.task.restart.delay = seconds(restartDelaySeconds)
        }
        if !spec.task.hasPlacement { spec.task.placement = .init() }
        spec.update = filled(spec.hasUpdate ? spec.update : nil)
        spec.rollback = filled(spec.hasRollback ? spec.rollback : nil)
        return spec
    }

    private static func filled(_ config: SwarmUpdateConfig?) -> SwarmUpdateConfig {
        guard var config else {
            var fresh = SwarmUpdateConfig()
            fresh.parallelism = 1
            fresh.failureAction = .pause
            fresh.order = .stopFirst
            fresh.monitor = seconds(updateMonitorSeconds)
            return fresh
        }
        if !config.hasMonitor { config.monitor = seconds(updateMonitorSeconds) }
        return config
    }

    private static func seconds(_ value: Int64) -> Google_Protobuf_Duration {
        Google_Protobuf_Duration(seconds: value, nanos: 0)
    }
}
