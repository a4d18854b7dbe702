package ru.otus.socialnet.routing.nodes;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code /actuator/health} component "reads", part of the readiness group: UP while reads can be
 * served — by a standby in rotation, by the primary, or (the primary down) by any standby that
 * answers. An orchestrator's readiness probe keeps the service in while it can read, even in the
 * middle of a failover.
 */
public final class ReadsHealthIndicator implements HealthIndicator {

    private final ClusterMonitor monitor;

    public ReadsHealthIndicator(ClusterMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public Health health() {
        Topology t = monitor.topology();
        if (!monitor.readsOnStandbys()) {
            return t.primary() != null ? Health.up().withDetail("served_by", "the primary (PG_AUTHORITY_REPLICA is empty)").build()
                    : Health.down().withDetail("reason", t.whyNoPrimary()).build();
        }
        if (!t.inRotation().isEmpty()) {
            return Health.up().withDetail("served_by", t.inRotation().size() + " standby(s) in rotation").build();
        }
        if (t.primary() != null) {
            return Health.up().withDetail("served_by", "the primary: no standby in rotation").build();
        }
        if (!t.standbys().isEmpty()) {
            return Health.up().withDetail("served_by", t.standbys().size()
                    + " standby(s) while no primary answers (plain reads; token reads where they have the position)").build();
        }
        return Health.down().withDetail("reason", "no node answers").build();
    }
}
