package ru.otus.socialnet.routing.nodes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The router's Micrometer meters; names under {@code socialnet.routing.*} (README "Routing rules"). */
public final class RoutingMetrics {

    private final MeterRegistry registry;
    /** The reads counter per node, looked up once: every read counts, and a registry lookup builds its id anew. */
    private final Map<String, Counter> reads = new ConcurrentHashMap<>();

    public RoutingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Lag, rotation and fencing gauges of one node, read from its live state at scrape time. */
    void watch(Node node) {
        Gauge.builder("socialnet.routing.replica.lag.bytes", node, Node::lagBytes)
                .tag("node", node.name()).description("bytes of WAL the standby has not replayed").register(registry);
        Gauge.builder("socialnet.routing.replica.lag.seconds", node,
                        n -> n.lag() == null ? -1 : n.lag().toMillis() / 1000.0)
                .tag("node", node.name()).description("how old the standby's data may be").register(registry);
        Gauge.builder("socialnet.routing.replica.in.rotation", node, n -> n.inRotation() ? 1 : 0)
                .tag("node", node.name()).description("1 while the node serves reads as a standby").register(registry);
        Gauge.builder("socialnet.routing.node.fenced", node, n -> n.state() == Node.State.FENCED ? 1 : 0)
                .tag("node", node.name()).description("1 while the node is a stale primary, never written to")
                .register(registry);
    }

    /** A read transaction got its connection from {@code node}. */
    void read(String node) {
        reads.computeIfAbsent(node, n -> registry.counter("socialnet.routing.reads", "node", n)).increment();
    }

    /** A read went elsewhere than a standby in rotation, and why. */
    void fallback(String reason) {
        registry.counter("socialnet.routing.fallbacks", "reason", reason).increment();
    }

    /** A node's read pool had no free connection in time: overload, not failure (no ban). */
    void busy(String node) {
        registry.counter("socialnet.routing.busy", "node", node).increment();
    }

    void ban(String node) {
        registry.counter("socialnet.routing.bans", "node", node).increment();
    }

    /** A write was refused because the only primary that answers is fenced (stale). */
    void fencedWrite() {
        registry.counter("socialnet.routing.writes.fenced").increment();
    }

    /** A write was refused before it started, and why ("no-sync-standby": its commit could not be acknowledged). */
    void refusedWrite(String reason) {
        registry.counter("socialnet.routing.writes.refused", "reason", reason).increment();
    }

    /**
     * A session the service gave up on (its socket timed out) and what became of its backend on the
     * server: "ended" (terminated), "gone" (no longer there), "failed" (the node could not be asked).
     */
    void abandonedSession(String outcome) {
        registry.counter("socialnet.routing.abandoned.sessions", "outcome", outcome).increment();
    }

    /**
     * A commit whose connection could not tell its WAL position; where its token came from instead:
     * "other-connection" (the primary asked again), "position-unknown" (a token only a primary serves).
     */
    void unreadCommitPosition(String fallback) {
        registry.counter("socialnet.routing.commit.positions.unread", "fallback", fallback).increment();
    }

    /** A read with a consistency token waited for a standby; outcome "replica" or "primary". */
    void tokenWait(String outcome) {
        registry.counter("socialnet.routing.token.waits", "outcome", outcome).increment();
    }

    /** A transaction run again after a node failed under it ("read" or "write"). */
    public void retry(String kind) {
        registry.counter("socialnet.routing.retries", "kind", kind).increment();
    }

    /** A commit whose outcome was unknown, and how the service resolved it ("stored", "absent", "unknown"). */
    public void ambiguousCommit(String resolution) {
        registry.counter("socialnet.routing.ambiguous.commits", "resolution", resolution).increment();
    }
}
