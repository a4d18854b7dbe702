package ru.otus.socialnet.routing.nodes;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Tells what a failure says about the node it happened on: the node is gone or hung (the work
 * may run again elsewhere), the node is merely busy, or the work itself failed (a bad statement, a
 * constraint), which says nothing about the node.
 */
public enum NodeFailure {

    /** The work failed on its own merits (or it is not a database failure at all). */
    NONE,
    /** A pool had no free connection in time although the node answers: overload, not failure. */
    BUSY,
    /** No connection could be made: refused, unreachable, or not accepting connections yet. */
    REFUSED,
    /** An open connection was closed under the work: the server went away or ended the session. */
    BROKEN,
    /** The server did not answer within the socket timeout: hung (stopped, cut off), not slow. */
    TIMED_OUT;

    /** admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away or not there yet. */
    private static final Set<String> SERVER_GOING = Set.of("57P01", "57P02", "57P03");
    /** serialization_failure: on a read-only hot-standby session, a conflict with WAL replay. */
    private static final String RECOVERY_CONFLICT = "40001";
    /** undefined_table, undefined_column, invalid_schema_name. */
    private static final Set<String> SCHEMA_MISSING = Set.of("42P01", "42703", "3F000");
    /** Connection exceptions that mean no session was ever established. */
    private static final Set<String> NEVER_CONNECTED = Set.of("08001", "08004");

    /** Whether the node should be taken out of use: it cannot serve, whatever the load. */
    public boolean nodeIsDown() {
        return this == REFUSED || this == BROKEN || this == TIMED_OUT;
    }

    /** The first verdict found along the cause chain (and each SQLException's next exceptions). */
    public static NodeFailure of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    NodeFailure verdict = ofOne(e);
                    if (verdict != NONE) {
                        return verdict;
                    }
                }
            }
        }
        return NONE;
    }

    private static NodeFailure ofOne(SQLException e) {
        if (e instanceof NoNodeAvailableException) {
            return NONE; // the router's verdict on the whole cluster, not a failure of one node
        }
        String state = e.getSQLState();
        if (e instanceof SQLTransientConnectionException && state == null) {
            return BUSY; // Hikari's wait timed out and no connection attempt had failed: all in use
        }
        if (state == null) {
            return NONE;
        }
        if (NEVER_CONNECTED.contains(state)) {
            return REFUSED;
        }
        if (state.startsWith("08")) {
            return causedBy(e, SocketTimeoutException.class) ? TIMED_OUT : BROKEN;
        }
        if (SERVER_GOING.contains(state)) {
            return BROKEN;
        }
        // A FATAL error ends the session; one caused by a recovery conflict (40001) says nothing
        // against the node, it only cancelled that session's work.
        if (isFatal(e) && !RECOVERY_CONFLICT.equals(state)) {
            return BROKEN;
        }
        return NONE;
    }

    /**
     * A statement a hot standby cancelled because replaying the primary's WAL needed what the
     * statement was using (SQLSTATE 40001, "canceling statement due to conflict with recovery").
     * The read is fine and so is the node: run it again, on a fresh snapshot, elsewhere.
     */
    public static boolean isRecoveryConflict(Throwable failure) {
        return hasSqlState(failure, RECOVERY_CONFLICT);
    }

    /**
     * The statement needs a table, column or schema the database does not have (SQLSTATE 42P01,
     * 42703, 3F000): the schema is not (or no longer) in place — a database re-created under the
     * service, not a fault of the request. Answered 503 while the schema is brought up to date.
     */
    public static boolean isSchemaMissing(Throwable failure) {
        return SCHEMA_MISSING.stream().anyMatch(state -> hasSqlState(failure, state));
    }

    /**
     * A write refused because the session is read-only (SQLSTATE 25006): on a write connection, the
     * server is in recovery — a standby reached under the primary's name (containers that swapped
     * addresses) or a demoted node. Nothing was written; the write can go again once the primary
     * is known. (The service's own reads never write: {@code DeclaredRoutesTest} keeps it so.)
     */
    public static boolean isReadOnlyServer(Throwable failure) {
        return hasSqlState(failure, "25006");
    }

    /** The server cancelled the statement for its statement_timeout (SQLSTATE 57014). */
    public static boolean isStatementTimeout(Throwable failure) {
        return hasSqlState(failure, "57014");
    }

    private static boolean hasSqlState(Throwable failure, String state) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A FATAL error ends the session. The severity is the server's localised word; with messages in
     * another language this check misses, and the next use of the connection fails as BROKEN anyway.
     */
    static boolean isFatal(SQLException e) {
        if (e instanceof PSQLException psql) {
            ServerErrorMessage message = psql.getServerErrorMessage();
            return message != null && ("FATAL".equals(message.getSeverity()) || "PANIC".equals(message.getSeverity()));
        }
        return false;
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
