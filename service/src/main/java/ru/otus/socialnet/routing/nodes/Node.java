package ru.otus.socialnet.routing.nodes;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL server named in {@code PG_AUTHORITY_MASTER} or {@code PG_AUTHORITY_REPLICA}, as the
 * service sees it: its pools, the last probe, and what it is for now ({@link State}). Its role is
 * discovered, never configured: a promoted standby becomes the primary, a rejoined former primary a
 * standby, with no restart.
 *
 * <p>Written by the {@link ClusterMonitor} (probes, role decisions) and by failing requests (a ban),
 * read by every routed request: fields are volatile, compound updates synchronized.
 */
public final class Node {

    private static final Logger log = LoggerFactory.getLogger(Node.class);

    /** What the node is for now; the health endpoint shows it. */
    public enum State {
        /** Not probed yet. */
        UNKNOWN,
        /** The primary the service writes to: on the newest timeline seen. */
        PRIMARY,
        /** A primary on an older timeline than one already seen (or a second one): never written to. */
        FENCED,
        /** A standby of the current primary, close enough behind: serves reads. */
        IN_ROTATION,
        /** A standby further behind than pg.routing.max-lag*; back below pg.routing.resume-lag*. */
        LAGGING,
        /** A standby that does not receive WAL from the current primary: its data only gets older. */
        NOT_STREAMING,
        /** Failed (refused, reset, hung): out until a probe succeeds; re-probed with a backoff. */
        BANNED
    }

    private final HostPort address;
    private final RoutingProperties settings;
    private final RoutingMetrics metrics;

    private NodePools pools;
    private volatile State state = State.UNKNOWN;
    private volatile Probe probe;
    private volatile long lagBytes = -1;
    private volatile Duration lag;
    private volatile String reason = "not probed yet";
    private volatile long bannedUntilNanos;
    private volatile Boolean canListWal;
    private volatile long poolUnavailableUntilNanos = System.nanoTime();
    private boolean lagging;
    private Duration backoff;

    Node(HostPort address, RoutingProperties settings, RoutingMetrics metrics) {
        this.address = address;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** The pools report failures back to this node, so they are made after it and attached once. */
    void attach(NodePools nodePools) {
        if (pools != null) {
            throw new IllegalStateException(name() + " already has its pools");
        }
        pools = nodePools;
    }

    public String name() {
        return address.toString();
    }

    NodePools pools() {
        return pools;
    }

    public State state() {
        return state;
    }

    /** Why the node is in its state, in words (health details). */
    public String reason() {
        return reason;
    }

    /** The last successful probe; null before the first. */
    public Probe probe() {
        return probe;
    }

    public boolean inRotation() {
        return state == State.IN_ROTATION;
    }

    public boolean isBanned() {
        return state == State.BANNED;
    }

    /** A standby that answers: whatever its lag, it holds everything up to its replay position. */
    boolean answeringStandby() {
        Probe p = probe;
        return p != null && p.inRecovery() && state != State.BANNED && state != State.UNKNOWN;
    }

    /** Last replayed WAL position of a standby; -1 when unknown or a primary. */
    public long replayLsn() {
        Probe p = probe;
        return p == null ? -1 : p.replayLsn();
    }

    public long lagBytes() {
        return lagBytes;
    }

    public Duration lag() {
        return lag;
    }

    /**
     * The node's read pool could not make a connection (its last attempt failed: a node just back
     * can take a pool a few seconds to reconnect): the router passes it by for {@code howLong}. Not a
     * ban — the probe, which has a connection of its own, decides whether the node is down.
     */
    void poolUnavailableFor(Duration howLong) {
        poolUnavailableUntilNanos = System.nanoTime() + howLong.toNanos();
    }

    /** Whether reads may be sent to the node's pool now (it is not banned and its pool is not known to be empty). */
    boolean readable(long nowNanos) {
        return state != State.BANNED && nowNanos - poolUnavailableUntilNanos >= 0;
    }

    /** Whether the application role may list this node's pg_wal (history files); null before asked. */
    Boolean canListWal() {
        return canListWal;
    }

    void canListWal(boolean may) {
        canListWal = may;
    }

    /** Whether the monitor should probe now: always, except while a ban's backoff runs. */
    boolean dueForProbe(long nowNanos) {
        return state != State.BANNED || nowNanos - bannedUntilNanos >= 0;
    }

    /**
     * A request or probe found the node failing: out of use at once. Requests failing together
     * (all that were in flight when it died) count as one failure, so they do not inflate the backoff.
     *
     * @return whether this call banned it (false: it already was)
     */
    synchronized boolean ban(String why) {
        if (state == State.BANNED) {
            return false;
        }
        banFor(backoff == null ? settings.banMin() : backoff, why);
        return true;
    }

    /** A probe failed: stay out, twice as long as last time (up to pg.routing.ban-max). */
    synchronized void probeFailed(String why) {
        Duration next = state != State.BANNED || backoff == null ? settings.banMin() : backoff.multipliedBy(2);
        banFor(next.compareTo(settings.banMax()) > 0 ? settings.banMax() : next, why);
    }

    private void banFor(Duration duration, String why) {
        if (state != State.BANNED) {
            log.warn("node {} out of use for at least {} ms: {}", name(), duration.toMillis(), why);
            metrics.ban(name());
        }
        backoff = duration;
        bannedUntilNanos = System.nanoTime() + duration.toNanos();
        reason = why;
        state = State.BANNED;
    }

    /** A probe answered. The monitor decides the role right after, with every node's news at hand. */
    synchronized void probed(Probe seen) {
        probe = seen;
        if (state == State.BANNED) {
            backoff = null; // answering again: the next failure starts from the shortest ban
            state = State.UNKNOWN;
        }
    }

    /** The monitor's decision for a primary: the one written to, or fenced. */
    synchronized void primary(boolean current, String why) {
        if (state == State.BANNED) {
            return;
        }
        lagBytes = 0;
        lag = Duration.ZERO;
        moveTo(current ? State.PRIMARY : State.FENCED, why);
    }

    /**
     * The monitor's decision for a standby, from its lag behind the current primary (null lag: no
     * primary to compare with, the last figures stand) and whether it receives the primary's WAL.
     */
    synchronized void standby(long lagBytesNow, Duration lagNow, boolean following, String notFollowingWhy) {
        if (state == State.BANNED) {
            return;
        }
        if (lagBytesNow >= 0) {
            lagBytes = lagBytesNow;
        }
        if (lagNow != null) {
            lag = lagNow;
        }
        lagging = lagging ? !belowResumeBounds() : aboveMaxBounds();
        if (!following) {
            moveTo(State.NOT_STREAMING, notFollowingWhy);
        } else if (lagging) {
            moveTo(State.LAGGING, "behind the primary by " + lagBytes + " bytes, "
                    + (lag == null ? "?" : lag.toMillis()) + " ms");
        } else {
            moveTo(State.IN_ROTATION, "streaming, " + lagBytes + " bytes behind");
        }
    }

    private void moveTo(State next, String why) {
        reason = why;
        if (next != state) {
            if (next == State.FENCED) {
                log.warn("node {}: {} -> {}: {}", name(), state, next, why);
            } else {
                log.info("node {}: {} -> {}: {}", name(), state, next, why);
            }
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

    @Override
    public String toString() {
        return name() + " (" + state + ")";
    }
}
