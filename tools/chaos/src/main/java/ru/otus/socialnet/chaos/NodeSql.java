package ru.otus.socialnet.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import ru.otus.socialnet.cluster.DbAccess;

/**
 * What the campaign asks the servers directly (as the superuser, over TCP from the root namespace,
 * every call bounded in time): a node's role and timeline, the rows of a run, replication state.
 */
final class NodeSql {

    /** A probe of a hung node gives up after this: it is then "unreachable" for that round. */
    static final int SOCKET_TIMEOUT_S = 3;

    private final DbAccess db;

    NodeSql(DbAccess db) {
        this.db = db;
    }

    Connection connect(String authority) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(authority)
                + "?connectTimeout=2&loginTimeout=3&socketTimeout=" + SOCKET_TIMEOUT_S
                + "&tcpKeepAlive=true&ApplicationName=chaos", db.user(), db.password());
    }

    /** Role, timeline and WAL position of a node, on an open connection. */
    static NodeState probe(String name, Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT pg_is_in_recovery(),
                       CASE WHEN pg_is_in_recovery()
                            THEN greatest(coalesce((SELECT received_tli FROM pg_stat_wal_receiver), 0),
                                          (SELECT min_recovery_end_timeline FROM pg_control_recovery()),
                                          (SELECT timeline_id FROM pg_control_checkpoint()))
                            ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
                       (CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_replay_lsn(), '0/0')
                             ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::bigint""")) {
            rs.next();
            return new NodeState(name, true, !rs.getBoolean(1), rs.getInt(2), rs.getLong(3));
        }
    }

    NodeState probe(String name, String authority) {
        try (Connection c = connect(authority)) {
            return probe(name, c);
        } catch (SQLException e) {
            return NodeState.unreachable(name);
        }
    }

    /** Rows per marker of a run on one node: {@code marker -> count}. */
    Map<String, Integer> markerRows(String authority, String runId) throws SQLException {
        Map<String, Integer> rows = new HashMap<>();
        try (Connection c = connect(authority); PreparedStatement st = c.prepareStatement(
                "SELECT second_name, count(*) FROM users WHERE first_name = ? AND second_name LIKE ? GROUP BY 1")) {
            st.setString(1, ServiceClient.FIRST_NAME);
            st.setString(2, runId + "-%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return rows;
    }

    /** How many standbys stream from this primary, and have replayed everything it wrote: {streaming, caught up}. */
    long[] replication(String authority) throws SQLException {
        try (Connection c = connect(authority); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT count(*) FILTER (WHERE state = 'streaming'),
                       count(*) FILTER (WHERE state = 'streaming' AND replay_lsn >= pg_current_wal_lsn())
                  FROM pg_stat_replication""")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
