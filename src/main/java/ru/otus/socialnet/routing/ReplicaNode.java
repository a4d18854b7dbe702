package ru.otus.socialnet.routing;

import java.time.Duration;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica as the router sees it: its read-only pool and whether it may serve reads now.
 * Written by the {@link ReplicationMonitor} (each probe) and by failing requests (a ban), read by
 * every routed read, so the fields are volatile and the few compound updates synchronized.
 */
final class ReplicaNode {

    private static final Logger log = LoggerFactory.getLogger(ReplicaNode.class);

    /** Why a replica is or is not serving reads; the health endpoint shows it. */
    enum State {
        /** Not probed yet. */
        UNKNOWN,
        IN_ROTATION,
        /** Failed (refused, reset, timed out): out until a re-probe after the backoff succeeds. */
        BANNED,
        /** Up, but not receiving WAL from the primary: it would serve ever older data. */
        NOT_STREAMING,
        /** Not in recovery: a promoted former replica is a primary, not a place for reads. */
        NOT_A_REPLICA,
        /** Further behind than pg.routing.max-lag*; back below pg.routing.resume-lag*. */
        LAGGING
    }

    /** What one successful probe saw. {@code replayLsn} is -1 on a server that is not in recovery. */
    record Observation(boolean inRecovery, boolean streaming, long replayLsn) {
    }

    private final String name;
    private final DataSource pool;
    private final RoutingProperties settings;
    private final RoutingMetrics metrics;

    private volatile State state = State.UNKNOWN;
    private volatile boolean lagging;
    private volatile long replayLsn = -1;
    private volatile long lagBytes = -1;
    private volatile Duration lag;
    private volatile long bannedUntilNanos;
    private Duration backoff;

    ReplicaNode(String name, DataSource pool, RoutingProperties settings, RoutingMetrics metrics) {
        this.name = name;
        this.pool = pool;
        this.settings = settings;
        this.metrics = metrics;
    }

    String name() {
        return name;
    }

    DataSource pool() {
        return pool;
    }

    State state() {
        return state;
    }

    boolean inRotation() {
        return state == State.IN_ROTATION;
    }

    /** Last replayed WAL position seen by the monitor; -1 when unknown. */
    long replayLsn() {
        return replayLsn;
    }

    long lagBytes() {
        return lagBytes;
    }

    Duration lag() {
        return lag;
    }

    /** Whether the monitor should probe now: always, except while a ban's backoff runs. */
    boolean dueForProbe(long nowNanos) {
        return state != State.BANNED || nowNanos - bannedUntilNanos >= 0;
    }

    /**
     * A request failed on this replica: out of rotation at once. Requests failing together (all
     * that were in flight when it died) count as one failure, so they do not inflate the backoff.
     *
     * @return whether this call banned it (false: it already was)
     */
    synchronized boolean ban(String reason) {
        if (state == State.BANNED) {
            return false;
        }
        banFor(backoff == null ? settings.banMin() : backoff, reason);
        return true;
    }

    /** A re-probe failed: stay out, twice as long as last time (up to pg.routing.ban-max). */
    synchronized void probeFailed(String reason) {
        Duration next = backoff == null ? settings.banMin() : backoff.multipliedBy(2);
        banFor(next.compareTo(settings.banMax()) > 0 ? settings.banMax() : next, reason);
    }

    private void banFor(Duration duration, String reason) {
        if (state != State.BANNED) {
            log.warn("replica {} out of rotation for {} ms: {}", name, duration.toMillis(), reason);
            metrics.ban(name);
        }
        backoff = duration;
        bannedUntilNanos = System.nanoTime() + duration.toNanos();
        state = State.BANNED;
    }

    /** A probe answered: decide the state from what the server says and how far behind it is. */
    synchronized void observed(Observation seen, long primaryLsn, Duration timeLag) {
        replayLsn = seen.replayLsn();
        if (seen.inRecovery() && primaryLsn >= 0 && seen.replayLsn() >= 0) {
            lagBytes = Math.max(0, primaryLsn - seen.replayLsn());
        }
        if (timeLag != null) {
            lag = timeLag;
        }
        lagging = lagging ? !belowResumeBounds() : aboveMaxBounds();
        State next;
        if (!seen.inRecovery()) {
            next = State.NOT_A_REPLICA;
        } else if (!seen.streaming()) {
            next = State.NOT_STREAMING;
        } else if (lagging) {
            next = State.LAGGING;
        } else {
            next = State.IN_ROTATION;
            backoff = null; // healthy again: the next failure starts from the shortest ban
        }
        if (next != state) {
            log.info("replica {}: {} -> {} (lag {} bytes, {} ms)", name, state, next, lagBytes,
                    lag == null ? "?" : lag.toMillis());
        }
        state = next;
    }

    private boolean aboveMaxBounds() {
        return lagBytes > settings.maxLagBytes().toBytes() || (lag != null && lag.compareTo(settings.maxLag()) > 0);
    }

    private boolean belowResumeBounds() {
        return lagBytes >= 0 && lagBytes <= settings.resumeLagBytes().toBytes()
                && (lag == null || lag.compareTo(settings.resumeLag()) <= 0);
    }
}
