import SwarmBackup
import Testing

@Suite struct RestoreErrorTests {
    @Test("a restore over a folder that holds state says how to go on without deleting anything")
    func targetNotEmpty() {
        let message = RestoreError.targetNotEmpty(path: "/var/lib/docker/swarm").description
        #expect(
            message
                == "/var/lib/docker/swarm: not empty; pass --force to move it aside to /var/lib/docker/swarm.swarmsafe-old-<time> (nothing is deleted) and restore"
        )
    }
}
