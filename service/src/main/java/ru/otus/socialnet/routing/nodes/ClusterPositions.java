package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.SQLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ru.otus.socialnet.consistency.ConsistencyToken;
import ru.otus.socialnet.routing.consistency.CommitPosition;

/**
 * What the cluster's WAL positions say about consistency tokens: whether a client's token can have
 * been issued here, and where a commit landed when its own connection could not tell.
 */
public final class ClusterPositions {

    private static final Logger log = LoggerFactory.getLogger(ClusterPositions.class);

    private final ClusterMonitor monitor;
    private final RoutingMetrics metrics;

    public ClusterPositions(ClusterMonitor monitor, RoutingMetrics metrics) {
        this.monitor = monitor;
        this.metrics = metrics;
    }

    /**
     * Whether {@code token} can have been issued by this cluster: it is not ahead of the primary's
     * position (asked afresh when the last probe is behind the token). When no primary answers it
     * cannot be told, and counts as possible: the read then looks for a node that has it. A token
     * from a newer timeline than any this instance has seen — issued by another instance right
     * after a failover this one has not probed yet — first has every node probed at once, for up to
     * {@code pg.routing.token-wait}.
     */
    public boolean couldHaveIssued(ConsistencyToken token) {
        Topology t = monitor.topology();
        if (token.timeline() > t.newestTimeline()) {
            t = monitor.catchUp();
        }
        if (RoleDecision.knownToBeIssued(token, t.lastPrimaryPosition())) {
            return true;
        }
        Node primary = t.primary();
        if (primary == null) {
            return true;
        }
        try (Connection c = primary.pools().read()) {
            return !token.isAfter(CommitPosition.read(c));
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * Where a commit on {@code primary} (then on {@code timeline}) landed, when its own connection
     * could not tell: the node's position read over the monitor's connection is at or past it. If the
     * node cannot be asked either (it failed right after the commit), the position is unknown and
     * the token says so ({@link ConsistencyToken#positionUnknown}): the client's reads go to the
     * primary of that timeline or a later one. Counted either way.
     */
    ConsistencyToken afterCommit(Node primary, int timeline) {
        try {
            ConsistencyToken position = primary.pools().probe().run(CommitPosition::read);
            metrics.unreadCommitPosition("other-connection");
            return position;
        } catch (SQLException | RuntimeException e) {
            metrics.unreadCommitPosition("position-unknown");
            log.warn("committed on {}, whose WAL position cannot be read now ({}): the token says the position is "
                    + "unknown; reads with it go to the primary", primary.name(), e.getMessage());
            return ConsistencyToken.positionUnknown(timeline);
        }
    }
}
