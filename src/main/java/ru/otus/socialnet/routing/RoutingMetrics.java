package ru.otus.socialnet.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The router's Micrometer meters; names under {@code socialnet.routing.*} (README "Routing rules"). */
final class RoutingMetrics {

    static final String PRIMARY = "primary";

    private final MeterRegistry registry;

    RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Lag and rotation gauges of one replica, read from its live state at scrape time. */
    void watch(ReplicaNode node) {
        Gauge.builder("socialnet.routing.replica.lag.bytes", node, ReplicaNode::lagBytes)
                .tag("node", node.name()).description("bytes of WAL the replica has not replayed").register(registry);
        Gauge.builder("socialnet.routing.replica.lag.seconds", node,
                        n -> n.lag() == null ? -1 : n.lag().toMillis() / 1000.0)
                .tag("node", node.name()).description("how old the replica's data may be").register(registry);
        Gauge.builder("socialnet.routing.replica.in.rotation", node, n -> n.inRotation() ? 1 : 0)
                .tag("node", node.name()).description("1 while the replica serves reads").register(registry);
    }

    /** A read transaction got its connection from {@code node} (a replica's name or "primary"). */
    void read(String node) {
        registry.counter("socialnet.routing.reads", "node", node).increment();
    }

    /** A read went to the primary although replicas are configured, and why. */
    void fallback(String reason) {
        registry.counter("socialnet.routing.fallbacks", "reason", reason).increment();
    }

    void retry() {
        registry.counter("socialnet.routing.retries").increment();
    }

    /** A write transaction run again because its connection was dead before the commit. */
    void writeRetry() {
        registry.counter("socialnet.routing.write.retries").increment();
    }

    void ban(String node) {
        registry.counter("socialnet.routing.bans", "node", node).increment();
    }

    /** A read with a consistency token waited for a replica; outcome "replica" or "primary". */
    void tokenWait(String outcome) {
        registry.counter("socialnet.routing.token.waits", "outcome", outcome).increment();
    }
}
