package ru.otus.socialnet.schema;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import ru.otus.socialnet.routing.nodes.ClusterMonitor;
import ru.otus.socialnet.routing.nodes.Topology;

/**
 * {@code /actuator/health} component "schema", part of the readiness group: UP while the schema is
 * in place on the cluster the service follows; DOWN (requests answered 503) while it is being brought
 * up to date — a cluster re-created under the service, a missing table met — so a readiness probe
 * takes the instance out of rotation meanwhile.
 */
public final class SchemaHealthIndicator implements HealthIndicator {

    private final ClusterMonitor monitor;
    private final SchemaKeeper keeper;

    public SchemaHealthIndicator(ClusterMonitor monitor, SchemaKeeper keeper) {
        this.monitor = monitor;
        this.keeper = keeper;
    }

    @Override
    public Health health() {
        Topology t = monitor.topology();
        String closed = monitor.schema().closedBecause(t);
        Health.Builder health = closed == null ? Health.up().withDetail("verified", monitor.schema().how())
                : Health.down().withDetail("reason", closed);
        return health.withDetail("system_identifier", Long.toUnsignedString(t.systemId()))
                .withDetail("migration_owed", keeper.migrationOwed())
                .build();
    }
}
