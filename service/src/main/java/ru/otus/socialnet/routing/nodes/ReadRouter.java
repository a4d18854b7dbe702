package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.AbstractDataSource;

import ru.otus.socialnet.consistency.ConsistencyToken;
import ru.otus.socialnet.routing.consistency.ConsistencyContext;

/**
 * The read side. Hands each read transaction a connection from the next standby in rotation
 * (round-robin: the standbys are alike and the reads short and uniform, so taking turns spreads them
 * evenly with nothing shared but one counter). A read carrying a consistency floor goes only to a
 * node that has replayed up to it. A standby whose pool cannot give a connection is skipped (and,
 * when the node itself failed, banned). When no standby can serve, the primary does: a replica
 * problem must not become a user-visible error. While the primary is down (a failover under way)
 * any standby that answers serves plain reads, and token reads where it holds the position.
 */
public final class ReadRouter extends AbstractDataSource {

    private static final Logger log = LoggerFactory.getLogger(ReadRouter.class);

    private final ClusterMonitor monitor;
    private final RoutingProperties settings;
    private final RoutingMetrics metrics;
    private final AtomicInteger next = new AtomicInteger();

    public ReadRouter(ClusterMonitor monitor, RoutingProperties settings, RoutingMetrics metrics) {
        this.monitor = monitor;
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Topology topology = monitor.topology();
        monitor.schema().ensureOpen(topology);
        ConsistencyToken floor = ConsistencyContext.floor();
        Connection c = !monitor.readsOnStandbys() ? fromPrimary(topology, null)
                : floor == null ? plainRead(topology) : readAtLeast(topology, floor);
        if (c == null) {
            throw new NoNodeAvailableException(floor == null ? "no node can serve reads: "
                    + topology.whyNoPrimary() + ", and no standby answers"
                    : "no node can serve a read at " + floor + ": " + topology.whyNoPrimary()
                    + ", and no answering standby has replayed it");
        }
        return c;
    }

    private Connection plainRead(Topology topology) {
        Connection c = roundRobin(topology.inRotation(), n -> true, null);
        if (c != null) {
            return c;
        }
        if (topology.primary() != null) {
            return fromPrimary(topology, "no-replica");
        }
        // The primary is down: no standby streams now, so none is "in rotation", yet each holds
        // everything it received. A read it can answer beats a 503.
        return roundRobin(topology.standbys(), n -> true, "primary-down");
    }

    private Connection readAtLeast(Topology topology, ConsistencyToken floor) {
        if (floor.isPositionUnknown()) {
            // A commit whose position nobody could read: only a primary of its timeline, or of a
            // later one, surely has it; no standby can prove it does.
            return topology.newestTimeline() >= floor.timeline() ? fromPrimary(topology, "token-position-unknown") : null;
        }
        ConsistencyToken last = topology.lastPrimaryPosition();
        if (last == null || last.timeline() != floor.timeline()) {
            // Written before a failover (or nothing is known yet): positions on different timelines
            // do not compare; only the primary surely has it.
            return topology.primary() == null ? null : fromPrimary(topology, "token-timeline");
        }
        Predicate<Node> hasIt = n -> floor.reachedBy(n.replayLsn());
        Connection c = roundRobin(topology.inRotation(), hasIt, null);
        if (c == null) {
            c = roundRobin(topology.standbys(), hasIt, "token-lagging-standby");
        }
        if (c != null) {
            return c;
        }
        // The monitor's positions are up to a tick old: ask a standby itself, briefly. Right after a
        // write it usually has replayed the commit within milliseconds.
        if (topology.primary() != null) {
            List<Node> waitOn = topology.inRotation();
            if (!waitOn.isEmpty()) {
                Node node = waitOn.get(Math.floorMod(next.getAndIncrement(), waitOn.size()));
                c = awaitReplay(node, floor, true);
                if (c != null) {
                    return served(node, c);
                }
            }
            return fromPrimary(topology, "token");
        }
        // The primary is down: any standby that already holds the position serves the read.
        long now = System.nanoTime();
        for (Node node : topology.standbys()) {
            c = node.readable(now) ? awaitReplay(node, floor, false) : null;
            if (c != null) {
                metrics.fallback("primary-down");
                return served(node, c);
            }
        }
        return null;
    }

    /** The next node of {@code nodes} (in turn) that qualifies and gives a connection; null if none. */
    private Connection roundRobin(List<Node> nodes, Predicate<Node> qualifies, String fallbackReason) {
        int n = nodes.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Node node = nodes.get((start + i) % n);
            if (!node.readable(now) || !qualifies.test(node)) {
                continue;
            }
            Connection c = borrow(node);
            if (c != null) {
                if (fallbackReason != null) {
                    metrics.fallback(fallbackReason);
                }
                return served(node, c);
            }
        }
        return null;
    }

    /**
     * A connection from the node's read pool, or null: then the next node is tried. A pool that
     * timed out is never a reason to ban the node. Busy (every connection in use) is overload; a pool
     * whose last connection attempt failed is passed by for a moment and the node probed at once —
     * the probe decides whether it is down.
     */
    private Connection borrow(Node node) {
        try {
            return node.pools().read();
        } catch (SQLException e) {
            NodeFailure verdict = NodeFailure.of(e);
            if (verdict == NodeFailure.BUSY) {
                metrics.busy(node.name());
                log.debug("node {} has no free read connection: {}", node.name(), e.getMessage());
            } else {
                node.poolUnavailableFor(settings.banMin());
                monitor.probeSoon(node);
                log.debug("node {} gave no read connection: {}", node.name(), e.getMessage());
            }
            return null;
        }
    }

    /**
     * Polls the node's own replay position for up to {@code pg.routing.token-wait} ({@code wait}
     * false: asks once); the connection when it has reached {@code floor}, else null.
     */
    private Connection awaitReplay(Node node, ConsistencyToken floor, boolean wait) {
        long deadline = System.nanoTime() + (wait ? settings.tokenWait().toNanos() : 0);
        Connection c = borrow(node);
        if (c == null) {
            return null;
        }
        try (Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
                    rs.next();
                    String replayed = rs.getString(1);
                    if (replayed != null && floor.reachedBy(ConsistencyToken.parseLsn(replayed))) {
                        metrics.tokenWait("replica");
                        return c;
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
                Thread.sleep(10);
            }
        } catch (SQLException e) {
            log.debug("waiting for replay on {}: {}", node.name(), e.getMessage()); // a failed node reports itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(c);
        metrics.tokenWait("primary");
        return null;
    }

    private Connection fromPrimary(Topology topology, String fallbackReason) {
        Node primary = topology.primary();
        if (primary == null) {
            return null;
        }
        Connection c = borrow(primary);
        if (c != null && fallbackReason != null) {
            metrics.fallback(fallbackReason);
        }
        return c == null ? null : served(primary, c);
    }

    private Connection served(Node node, Connection c) {
        metrics.read(node.name());
        return c;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // it goes back to (or is evicted from) the pool either way
        }
    }

    @Override
    public Connection getConnection(String username, String password) {
        throw new UnsupportedOperationException("credentials come from the pool configuration");
    }
}
