package ru.otus.socialnet.routing;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code /actuator/health} component "replication": every node with its role, whether it answers,
 * its lag and whether it serves reads. UP while the primary answers: a dead or lagging replica
 * costs capacity, not service (reads fall back to the primary), so it must not turn the service
 * DOWN — the details say what is wrong.
 */
final class ReplicationHealthIndicator implements HealthIndicator {

    private final ReplicationMonitor monitor;

    ReplicationHealthIndicator(ReplicationMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public Health health() {
        Map<String, Object> nodes = new LinkedHashMap<>();
        ReplicationMonitor.PrimaryView primary = monitor.primaryView();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("role", "primary");
        p.put("reachable", primary.reachable());
        if (primary.position() != null) {
            p.put("timeline", primary.position().timeline());
            p.put("wal_lsn", ConsistencyToken.formatLsn(primary.position().lsn()));
        }
        nodes.put("primary", p);
        int inRotation = 0;
        for (ReplicaNode node : monitor.replicas()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("role", node.state() == ReplicaNode.State.NOT_A_REPLICA ? "primary?" : "replica");
            r.put("reachable", node.state() != ReplicaNode.State.BANNED && node.state() != ReplicaNode.State.UNKNOWN);
            r.put("state", node.state().name());
            r.put("in_rotation", node.inRotation());
            r.put("lag_bytes", node.lagBytes());
            r.put("lag_seconds", node.lag() == null ? null : node.lag().toMillis() / 1000.0);
            if (node.replayLsn() >= 0) {
                r.put("replay_lsn", ConsistencyToken.formatLsn(node.replayLsn()));
            }
            nodes.put(node.name(), r);
            inRotation += node.inRotation() ? 1 : 0;
        }
        // With no replicas configured the monitor does not probe; the "db" component covers the primary.
        Health.Builder health = monitor.replicas().isEmpty() || primary.reachable() ? Health.up() : Health.down();
        return health.withDetail("replicas_in_rotation", inRotation).withDetail("nodes", nodes).build();
    }
}
