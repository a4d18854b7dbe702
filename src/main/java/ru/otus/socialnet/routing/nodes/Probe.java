package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import ru.otus.socialnet.routing.consistency.ConsistencyToken;

/**
 * What one probe of a server saw. Everything the routing needs is readable by an ordinary role
 * (no pg_monitor): whether the server is in recovery, the primary's timeline and WAL position, a
 * standby's received and replayed positions, whether a WAL receiver process exists, the system
 * identifier and the last checkpoint's timeline. The WAL receiver's status and timeline are only
 * visible to members of pg_read_all_stats; without that they are unknown, never guessed.
 *
 * @param systemId            pg_control_system(): the same on every node of one cluster
 * @param inRecovery          a standby (or a node still recovering)
 * @param timeline            a primary's current timeline; a standby's WAL receiver timeline when
 *                            visible; 0 when unknown
 * @param currentLsn          a primary's pg_current_wal_lsn(); -1 on a standby
 * @param receiveLsn          a standby's pg_last_wal_receive_lsn(); -1 when none
 * @param replayLsn           a standby's pg_last_wal_replay_lsn(); -1 on a primary
 * @param checkpointTimeline  the timeline of the node's last checkpoint or restartpoint: evidence
 *                            that a timeline exists, even when it is not the current one
 * @param receiverVisible     the role may read pg_stat_wal_receiver's details (pg_read_all_stats)
 * @param receiverRunning     a WAL receiver process exists (visible to every role)
 * @param streaming           the WAL receiver's status is 'streaming'; false when not visible
 * @param takenAtNanos        System.nanoTime() when the probe was sent
 */
public record Probe(long systemId, boolean inRecovery, int timeline, long currentLsn, long receiveLsn,
                    long replayLsn, int checkpointTimeline, boolean receiverVisible, boolean receiverRunning,
                    boolean streaming, long takenAtNanos) {

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
                   coalesce(r.status = 'streaming', false)
              FROM (SELECT pg_is_in_recovery() AS rec) AS s
              LEFT JOIN pg_stat_wal_receiver AS r ON true""";

    static Probe of(Connection c) throws SQLException {
        long at = System.nanoTime();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SQL)) {
            rs.next();
            return new Probe(rs.getLong(1), rs.getBoolean(2), rs.getInt(3), lsn(rs.getString(4)),
                    lsn(rs.getString(5)), lsn(rs.getString(6)), rs.getInt(7), rs.getBoolean(8), rs.getBoolean(9),
                    rs.getBoolean(10), at);
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
