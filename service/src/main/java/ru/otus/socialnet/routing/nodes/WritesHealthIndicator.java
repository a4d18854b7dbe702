package ru.otus.socialnet.routing.nodes;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code /actuator/health} component "writes": UP while a primary on the newest timeline answers;
 * DOWN with the reason otherwise (no primary, a failover under way, only a fenced stale primary, or
 * a primary whose commits no standby can acknowledge now).
 * Not part of readiness: a service that can still read is worth keeping in.
 */
public final class WritesHealthIndicator implements HealthIndicator {

    private final ClusterMonitor monitor;

    public WritesHealthIndicator(ClusterMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public Health health() {
        Topology t = monitor.topology();
        Health.Builder health = t.whyNoWrites() == null ? Health.up() : Health.down().withDetail("reason", t.whyNoWrites());
        if (t.primary() != null) {
            health.withDetail("primary", t.primary().name()).withDetail("timeline", t.newestTimeline());
        }
        if (!t.fenced().isEmpty()) {
            health.withDetail("fenced", t.fenced().stream().map(n -> n.name() + ": " + n.reason()).toList());
        }
        return health.build();
    }
}
