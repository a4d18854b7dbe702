package ru.otus.socialnet.routing.nodes;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import ru.otus.socialnet.consistency.ConsistencyToken;

/**
 * {@code /actuator/health} component "replication": every node with its discovered role, state,
 * reason, timeline, positions and lag. Always UP: it describes; the "reads" and "writes" components
 * judge. Built from the monitor's last probes only, so it answers at once whatever the nodes do.
 */
public final class ReplicationHealthIndicator implements HealthIndicator {

    private final ClusterMonitor monitor;

    public ReplicationHealthIndicator(ClusterMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public Health health() {
        Topology topology = monitor.topology();
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (Node node : monitor.nodes()) {
            Map<String, Object> n = new LinkedHashMap<>();
            Probe p = node.probe();
            n.put("role", p == null || node.isBanned() ? "unknown" : p.inRecovery() ? "standby" : "primary");
            n.put("state", node.state().name());
            n.put("reason", node.reason());
            n.put("in_rotation", node.inRotation());
            if (p != null) {
                if (p.timeline() > 0) {
                    n.put("timeline", p.timeline());
                }
                if (p.inRecovery()) {
                    n.put("replay_lsn", p.replayLsn() < 0 ? null : ConsistencyToken.formatLsn(p.replayLsn()));
                    n.put("lag_bytes", node.lagBytes());
                    n.put("lag_seconds", node.lag() == null ? null : node.lag().toMillis() / 1000.0);
                    n.put("wal_receiver", !p.receiverVisible() ? (p.receiverRunning() ? "running (status needs pg_read_all_stats)"
                            : "none") : p.streaming() ? "streaming" : "not streaming");
                } else {
                    n.put("wal_lsn", ConsistencyToken.formatLsn(p.currentLsn()));
                }
            }
            nodes.put(node.name(), n);
        }
        return Health.up()
                .withDetail("primary", topology.primary() == null ? "none" : topology.primary().name())
                .withDetail("newest_timeline", topology.newestTimeline())
                .withDetail("replicas_in_rotation", topology.inRotation().size())
                .withDetail("wal_receiver_status_visible", monitor.receiverStatusVisible())
                .withDetail("nodes", nodes)
                .build();
    }
}
