package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import ru.otus.socialnet.consistency.ConsistencyToken;

/**
 * What one probe of a server saw. Everything the routing needs is readable by an ordinary role
 * (no pg_monitor): whether the server is in recovery, the primary's timeline and WAL position, a
 * standby's received and replayed positions, whether a WAL receiver process exists, the system
 * identifier and the last checkpoint's timeline, a primary's synchronous-commit settings. The WAL
 * receiver's status and timeline, and which standbys can confirm a commit, are only visible to
 * members of pg_read_all_stats; without that they are unknown, never guessed.
 *
 * @param systemId            pg_control_system(): the same on every node of one cluster
 * @param inRecovery          a standby (or a node still recovering)
 * @param timeline            a primary's current timeline; a standby's WAL receiver timeline when
 *                            visible; 0 when unknown
 * @param currentLsn          a primary's pg_current_wal_lsn(); -1 on a standby
 * @param receiveLsn          a standby's pg_last_wal_receive_lsn(); -1 when none
 * @param replayLsn           a standby's pg_last_wal_replay_lsn(); -1 on a primary
 * @param checkpointTimeline  the newest timeline the node's files prove to exist: its last checkpoint
 *                            or restartpoint, and (when the role may list pg_wal, i.e. has pg_monitor)
 *                            its timeline history files — a standby that followed a promotion has the
 *                            new timeline's history file even when it is not the current one
 * @param receiverVisible     the role may read pg_stat_wal_receiver's details (pg_read_all_stats)
 * @param receiverRunning     a WAL receiver process exists (visible to every role)
 * @param streaming           the WAL receiver's status is 'streaming'; false when not visible
 * @param takenAtNanos        System.nanoTime() when the probe was sent
 * @param syncCommit          a primary's synchronous-commit settings and the standbys that can confirm
 *                            a commit now; null on a standby
 */
public record Probe(long systemId, boolean inRecovery, int timeline, long currentLsn, long receiveLsn,
                    long replayLsn, int checkpointTimeline, boolean receiverVisible, boolean receiverRunning,
                    boolean streaming, long takenAtNanos, SyncCommit syncCommit) {

    /** A probe that says nothing about synchronous commit (a standby's). */
    public Probe(long systemId, boolean inRecovery, int timeline, long currentLsn, long receiveLsn, long replayLsn,
                 int checkpointTimeline, boolean receiverVisible, boolean receiverRunning, boolean streaming,
                 long takenAtNanos) {
        this(systemId, inRecovery, timeline, currentLsn, receiveLsn, replayLsn, checkpointTimeline, receiverVisible,
                receiverRunning, streaming, takenAtNanos, null);
    }

    /** One round trip. The CASEs keep primary-only functions away from a standby, which refuses them. */
    static final String SQL = """
            SELECT (SELECT system_identifier FROM pg_control_system()),
                   s.rec,
                   CASE WHEN s.rec THEN r.received_tli
                        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
                   CASE WHEN s.rec THEN NULL ELSE pg_current_wal_lsn()::text END,
                   pg_last_wal_receive_lsn()::text,
                   pg_last_wal_replay_lsn()::text,
                   (SELECT timeline_id FROM pg_control_checkpoint()),
                   pg_has_role('pg_read_all_stats', 'USAGE'),
                   r.pid IS NOT NULL,
                   coalesce(r.status = 'streaming', false),
                   current_setting('synchronous_standby_names'),
                   current_setting('synchronous_commit'),
                   CASE WHEN s.rec THEN NULL
                        ELSE (SELECT count(*) FILTER (WHERE w.sync_state IN ('sync', 'quorum'))
                                FROM pg_stat_replication AS w) END
              FROM (SELECT pg_is_in_recovery() AS rec) AS s
              LEFT JOIN pg_stat_wal_receiver AS r ON true""";

    /**
     * The newest timeline history file in pg_wal. A separate statement, sent only to a role that may
     * list pg_wal: the privilege is checked when a statement starts, whatever a CASE would skip.
     */
    static final String HISTORY_SQL = """
            SELECT coalesce(max(('x' || substr(name, 1, 8))::bit(32)::int), 0)
              FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{8}[.]history$'""";

    /** Whether the role may list pg_wal (pg_monitor); asked once per connection lifetime is enough. */
    static final String CAN_LIST_WAL_SQL = "SELECT has_function_privilege('pg_ls_waldir()', 'EXECUTE')";

    static Probe of(Connection c, boolean readHistory) throws SQLException {
        long at = System.nanoTime();
        try (Statement st = c.createStatement()) {
            Probe p;
            try (ResultSet rs = st.executeQuery(SQL)) {
                rs.next();
                boolean statsVisible = rs.getBoolean(8);
                // Without pg_read_all_stats every sync_state reads NULL: who can confirm is unknown (-1).
                SyncCommit sync = rs.getBoolean(2) ? null
                        : new SyncCommit(rs.getString(11), rs.getString(12), statsVisible ? rs.getInt(13) : -1);
                p = new Probe(rs.getLong(1), rs.getBoolean(2), rs.getInt(3), lsn(rs.getString(4)),
                        lsn(rs.getString(5)), lsn(rs.getString(6)), rs.getInt(7), statsVisible, rs.getBoolean(9),
                        rs.getBoolean(10), at, sync);
            }
            if (!readHistory) {
                return p;
            }
            try (ResultSet rs = st.executeQuery(HISTORY_SQL)) {
                rs.next();
                int history = rs.getInt(1);
                return history <= p.checkpointTimeline() ? p : new Probe(p.systemId, p.inRecovery, p.timeline,
                        p.currentLsn, p.receiveLsn, p.replayLsn, history, p.receiverVisible, p.receiverRunning,
                        p.streaming, p.takenAtNanos, p.syncCommit);
            }
        }
    }

    static boolean canListWal(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(CAN_LIST_WAL_SQL)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static long lsn(String text) {
        return text == null ? -1 : ConsistencyToken.parseLsn(text);
    }

    /** A primary's position as a token (timeline and WAL position); null for a standby. */
    public ConsistencyToken position() {
        return inRecovery ? null : new ConsistencyToken(timeline, currentLsn);
    }

    /** The newest timeline this probe proves to exist. */
    int newestTimelineSeen() {
        return Math.max(timeline, checkpointTimeline);
    }
}
