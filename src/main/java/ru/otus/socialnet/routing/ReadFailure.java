package ru.otus.socialnet.routing;

import java.sql.SQLException;
import java.util.Set;

/** Tells a node failure (the read may go elsewhere) from a failure of the read itself. */
final class ReadFailure {

    /** admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away or not there yet. */
    private static final Set<String> SERVER_GOING = Set.of("57P01", "57P02", "57P03");

    private ReadFailure() {
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
