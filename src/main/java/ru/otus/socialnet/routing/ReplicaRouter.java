package ru.otus.socialnet.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The read side. Hands each read transaction a connection from the next replica in rotation
 * (round-robin: the replicas are alike and the reads short and uniform, so taking turns spreads
 * them evenly with no shared counters to contend on). A replica qualifies when the monitor has it
 * in rotation and, for a read that carries a consistency floor, has replayed up to it. A replica
 * that cannot give a connection is banned and the next one tried; when none can serve, the
 * primary does, because a replica problem must not become a user-visible error.
 */
final class ReplicaRouter extends AbstractDataSource {

    private static final Logger log = LoggerFactory.getLogger(ReplicaRouter.class);

    private static final ThreadLocal<ReplicaNode> LAST_SERVED = new ThreadLocal<>();

    private final ReplicationMonitor monitor;
    private final List<ReplicaNode> replicas;
    private final DataSource primary;
    private final RoutingProperties settings;
    private final RoutingMetrics metrics;
    private final AtomicInteger next = new AtomicInteger();

    ReplicaRouter(ReplicationMonitor monitor, DataSource primary, RoutingProperties settings, RoutingMetrics metrics) {
        this.monitor = monitor;
        this.replicas = monitor.replicas();
        this.primary = primary;
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Connection getConnection() throws SQLException {
        LAST_SERVED.remove();
        ConsistencyToken floor = ConsistencyContext.floor();
        if (floor != null && !onCurrentTimeline(floor)) {
            // Written before a failover (or the primary's timeline is unknown): positions on
            // different timelines do not compare, only the primary surely has it.
            return fromPrimary("token-timeline");
        }
        int n = replicas.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        ReplicaNode behindFloor = null;
        for (int i = 0; i < n; i++) {
            ReplicaNode node = replicas.get((start + i) % n);
            if (!node.inRotation()) {
                continue;
            }
            if (floor != null && node.replayLsn() < floor.lsn()) {
                behindFloor = behindFloor == null ? node : behindFloor;
                continue;
            }
            Connection c = borrow(node);
            if (c != null) {
                return served(node, c);
            }
        }
        if (behindFloor != null) {
            Connection c = awaitReplay(behindFloor, floor);
            if (c != null) {
                return served(behindFloor, c);
            }
            return fromPrimary("token");
        }
        if (floor == null && !monitor.primaryView().reachable()) {
            // The primary is down (a failover is under way): no replica streams then, so none is
            // "in rotation", yet each still holds everything it received. A read it can answer beats
            // a 503 from the dead primary. (A read with a token is not relaxed: it goes on to the
            // primary and fails honestly rather than answer without the client's write.)
            Connection c = fromStandbyWhilePrimaryDown(start);
            if (c != null) {
                return c;
            }
        }
        return fromPrimary("no-replica");
    }

    private Connection fromStandbyWhilePrimaryDown(int start) {
        int n = replicas.size();
        for (int i = 0; i < n; i++) {
            ReplicaNode node = replicas.get((start + i) % n);
            ReplicaNode.State state = node.state();
            if (state == ReplicaNode.State.NOT_STREAMING || state == ReplicaNode.State.LAGGING) {
                Connection c = borrow(node);
                if (c != null) {
                    metrics.fallback("primary-down");
                    return served(node, c);
                }
            }
        }
        return null;
    }

    /** The replica the current thread's last read went to (null: the primary); for retries. */
    static ReplicaNode lastServed() {
        return LAST_SERVED.get();
    }

    static void forgetLastServed() {
        LAST_SERVED.remove();
    }

    private boolean onCurrentTimeline(ConsistencyToken floor) {
        ConsistencyToken primaryPosition = monitor.primaryView().position();
        return primaryPosition != null && primaryPosition.timeline() == floor.timeline();
    }

    private Connection borrow(ReplicaNode node) {
        try {
            return node.pool().getConnection();
        } catch (SQLException e) {
            if (NodeFailure.isNodeFailure(e)) {
                node.ban("no connection: " + e.getMessage());
            } else {
                // The pool is busy, the server is fine: try the next node, but no ban.
                log.info("replica {} pool exhausted: {}", node.name(), e.getMessage());
            }
            return null;
        }
    }

    /**
     * The monitor's positions are up to a tick old, so ask the replica itself, briefly: right after
     * a write it usually has replayed the commit within milliseconds.
     */
    private Connection awaitReplay(ReplicaNode node, ConsistencyToken floor) {
        long deadline = System.nanoTime() + settings.tokenWait().toNanos();
        Connection c = borrow(node);
        if (c == null) {
            return null;
        }
        try (Statement st = c.createStatement()) {
            while (true) {
                try (ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
                    rs.next();
                    String replayed = rs.getString(1);
                    if (replayed != null && ConsistencyToken.parseLsn(replayed) >= floor.lsn()) {
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
            if (NodeFailure.isNodeFailure(e)) {
                node.ban("failed while waiting for replay: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(c);
        metrics.tokenWait("primary");
        return null;
    }

    private Connection served(ReplicaNode node, Connection c) {
        LAST_SERVED.set(node);
        metrics.read(node.name());
        return c;
    }

    private Connection fromPrimary(String reason) throws SQLException {
        metrics.fallback(reason);
        metrics.read(RoutingMetrics.PRIMARY);
        return primary.getConnection();
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
