package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.datasource.AbstractDataSource;

import ru.otus.socialnet.routing.consistency.CommitPosition;

/**
 * The write side: a connection from the pool of the primary the {@link ClusterMonitor} chose —
 * the one on the newest timeline seen, never a fenced one. When there is none (the primary is down,
 * a failover is under way, or only a stale primary answers) it fails at once, without waiting on a
 * dead node: nothing was sent, and the service answers 503. So it does while the primary's commits
 * cannot be acknowledged (synchronous commit with too few standbys streaming). Each commit on the connection reports
 * its WAL position, which becomes the client's consistency token.
 */
public final class WriteRouter extends AbstractDataSource {

    /** While writes are refused for want of a standby, the primary is asked again this often (by requests). */
    private static final Duration REFUSAL_RECHECK = Duration.ofMillis(100);

    private final ClusterMonitor monitor;
    private final ClusterPositions positions;
    private final RoutingMetrics metrics;

    public WriteRouter(ClusterMonitor monitor, ClusterPositions positions, RoutingMetrics metrics) {
        this.monitor = monitor;
        this.positions = positions;
        this.metrics = metrics;
    }

    /**
     * Fails at once when no primary can take a write now: lets a caller skip expensive work (a
     * password hash) for a write that would be refused anyway.
     */
    public void ensureWritable() {
        try {
            primaryOrFail(monitor.topology());
        } catch (NoNodeAvailableException e) {
            throw new TransientDataAccessResourceException(e.getMessage(), e);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        Node primary = primaryOrFail(monitor.topology());
        int timeline = primary.probe().timeline();
        try {
            return CommitPosition.reporting(primary.pools().write(), () -> positions.afterCommit(primary, timeline));
        } catch (SQLException e) {
            if (NodeFailure.of(e) != NodeFailure.BUSY) {
                monitor.probeSoon(primary); // down, or a pool still reconnecting: the probe tells
            }
            throw e;
        }
    }

    private Node primaryOrFail(Topology topology) throws NoNodeAvailableException {
        monitor.schema().ensureOpen(topology);
        Node primary = topology.primary();
        if (primary == null) {
            if (!topology.fenced().isEmpty()) {
                metrics.fencedWrite();
            }
            throw new NoNodeAvailableException("no write possible: " + topology.whyNoPrimary());
        }
        if (topology.writesRefused() != null) {
            // Started, it would wait at its commit for a standby that is not there, be cut off by the
            // socket timeout and answer "maybe stored": refused now, it answers "not stored".
            metrics.refusedWrite("no-sync-standby");
            monitor.probeSoonAtMostEvery(primary, REFUSAL_RECHECK);
            throw new NoNodeAvailableException("no write possible: " + topology.writesRefused());
        }
        return primary;
    }

    @Override
    public Connection getConnection(String username, String password) {
        throw new UnsupportedOperationException("credentials come from the pool configuration");
    }
}
