package ru.otus.socialnet.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the servers, every {@code pg.routing.monitor-interval}: the primary where its WAL is (and on
 * which timeline), each replica whether it is in recovery, streaming, and how far it has replayed.
 * Each node has its own task, so a dead node's connect timeout never delays the others' news.
 */
final class ReplicationMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicationMonitor.class);

    static final String REPLICA_QUERY = """
            SELECT pg_is_in_recovery(),
                   coalesce(pg_last_wal_replay_lsn()::text, ''),
                   coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false)""";

    /** The primary as last seen. {@code position} is null while it cannot be reached. */
    record PrimaryView(ConsistencyToken position, boolean reachable) {
    }

    private final DataSource primary;
    private final List<ReplicaNode> replicas;
    private final RoutingProperties settings;
    private final WalHistory history = new WalHistory(600);
    private final ScheduledExecutorService scheduler;
    private volatile PrimaryView primaryView = new PrimaryView(null, false);

    ReplicationMonitor(DataSource primary, List<ReplicaNode> replicas, RoutingProperties settings) {
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(replicas.size() + 1, r -> {
            Thread t = new Thread(r, "replication-monitor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Probes everything once (so the first requests route on facts), then keeps probing. */
    void start() {
        if (replicas.isEmpty()) {
            return; // the primary serves all reads: nothing to decide
        }
        probePrimary();
        replicas.parallelStream().forEach(this::probe);
        long every = settings.monitorInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::probePrimary, every, every, TimeUnit.MILLISECONDS);
        for (ReplicaNode node : replicas) {
            scheduler.scheduleWithFixedDelay(() -> probe(node), every, every, TimeUnit.MILLISECONDS);
        }
    }

    PrimaryView primaryView() {
        return primaryView;
    }

    List<ReplicaNode> replicas() {
        return replicas;
    }

    /**
     * A read on the primary just failed with a connection error: take it as unreachable now rather
     * than at the next probe, so a retried read can go to a standby (the next probe that reaches
     * the primary sets it reachable again).
     */
    void primaryFailed(String reason) {
        if (primaryView.reachable()) {
            log.warn("primary unreachable: {}", reason);
        }
        primaryView = new PrimaryView(primaryView.position(), false);
    }

    void probePrimary() {
        try (Connection c = primary.getConnection()) {
            ConsistencyToken position = CommitPosition.read(c);
            history.record(System.nanoTime(), position.lsn());
            primaryView = new PrimaryView(position, true);
        } catch (SQLException | RuntimeException e) {
            // Lags keep their last values: a replica is not worse because the primary is away.
            if (primaryView.reachable()) {
                log.warn("primary unreachable for the replication monitor: {}", e.getMessage());
            }
            primaryView = new PrimaryView(primaryView.position(), false);
        }
    }

    void probe(ReplicaNode node) {
        if (!node.dueForProbe(System.nanoTime())) {
            return;
        }
        ReplicaNode.Observation seen;
        try (Connection c = node.pool().getConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(REPLICA_QUERY)) {
            rs.next();
            String replay = rs.getString(2);
            seen = new ReplicaNode.Observation(rs.getBoolean(1), rs.getBoolean(3),
                    replay.isEmpty() ? -1 : ConsistencyToken.parseLsn(replay));
        } catch (SQLException | RuntimeException e) {
            node.probeFailed("probe failed: " + e.getMessage());
            return;
        }
        ConsistencyToken position = primaryView.position();
        node.observed(seen, position == null ? -1 : position.lsn(),
                seen.replayLsn() < 0 ? null : history.lagOf(seen.replayLsn(), System.nanoTime()));
    }

    /** Stops probing and closes the replicas' pools. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        for (ReplicaNode node : replicas) {
            if (node.pool() instanceof AutoCloseable pool) {
                try {
                    pool.close();
                } catch (Exception e) {
                    log.warn("closing the pool of {}: {}", node.name(), e.getMessage());
                }
            }
        }
    }
}
