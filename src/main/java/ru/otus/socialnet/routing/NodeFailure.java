package ru.otus.socialnet.routing;

import java.sql.SQLException;
import java.util.Set;

/**
 * Tells a node failure (the connection was lost or refused: the work may be run again elsewhere or
 * later) from a failure of the work itself (a bad statement, a constraint).
 */
final class NodeFailure {

    /** admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away or not there yet. */
    private static final Set<String> SERVER_GOING = Set.of("57P01", "57P02", "57P03");

    private NodeFailure() {
    }

    /**
     * Whether anywhere in the cause chain a connection was lost or refused: SQLState class 08
     * (connection exception) or a server shutting down.
     */
    static boolean isNodeFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || SERVER_GOING.contains(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
