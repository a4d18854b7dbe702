package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * The async ↔ quorum switch on the real cluster, through the commands users run
 * ({@code bin/cluster sync}, {@code bin/cluster status}, {@code PG_SYNC_MODE=… bin/cluster up}):
 * what the primary reports, and whether a commit comes back when standbys are gone.
 * Every test leaves the cluster as it found it: all nodes streaming, async.
 */
class SyncModeSwitchIT {

    /** Generous: the machine is shared, and only a commit that never returns may fail a test. */
    private static final long COMMIT_BOUND_SECONDS = 60;

    private static TestCluster cluster;

    private final ExecutorService writer = Executors.newSingleThreadExecutor();
    private final List<Connection> connections = new ArrayList<>();

    @BeforeAll
    static void probeTable() throws SQLException {
        cluster = TestCluster.get();
        execute("CREATE TABLE IF NOT EXISTS sync_probe (id text PRIMARY KEY)");
    }

    @AfterAll
    static void dropProbeTable() throws SQLException {
        execute("DROP TABLE IF EXISTS sync_probe");
    }

    @AfterEach
    void restoreCluster() throws SQLException {
        // async first: it also releases any commit still waiting for a standby
        cluster.cli("sync", "async");
        cluster.start(Node.REPLICA1);
        cluster.start(Node.REPLICA2);
        writer.shutdownNow();
        for (Connection c : connections) {
            c.close();
        }
        cluster.awaitReplicasCaughtUp();
    }

    @Test
    void quorumMakesBothStandbysQuorumCandidatesAndAsyncTurnsThemBack() {
        String switched = cluster.cli("sync", "quorum");
        assertThat(switched).contains("sync mode: quorum (ANY 1 (replica1, replica2))");
        awaitSyncStates("quorum");

        String status = cluster.cli("status");
        assertThat(status).contains("synchronous_standby_names = 'ANY 1 (replica1, replica2)'");
        assertThat(status).containsPattern("application_name\\s*\\|\\s*state\\s*\\|\\s*sync_state\\s*\\|"
                + "\\s*sent_lag_bytes\\s*\\|\\s*flush_lag_bytes\\s*\\|\\s*replay_lag_bytes");
        assertThat(status).containsPattern("replica1\\s*\\|\\s*streaming\\s*\\|\\s*quorum\\s*\\|");
        assertThat(status).containsPattern("replica2\\s*\\|\\s*streaming\\s*\\|\\s*quorum\\s*\\|");

        cluster.cli("sync", "async");
        awaitSyncStates("async");
        assertThat(cluster.cli("status")).contains("synchronous_standby_names = ''")
                .containsPattern("replica1\\s*\\|\\s*streaming\\s*\\|\\s*async\\s*\\|");
    }

    @Test
    void inQuorumACommitWaitsForAStandbyAndReturnsWhenOneComesBack() throws Exception {
        cluster.cli("sync", "quorum");
        awaitSyncStates("quorum");
        cluster.stop(Node.REPLICA1);
        cluster.stop(Node.REPLICA2);

        String id = "waits-" + UUID.randomUUID();
        Future<?> commit = writer.submit(() -> insert(id));
        awaitBackendWaitingForStandby(id);
        assertThat(commit).as("a commit with no standby to confirm it").isNotDone();

        cluster.start(Node.REPLICA1);
        commit.get(COMMIT_BOUND_SECONDS, TimeUnit.SECONDS); // replica1 flushed it: the commit returns
    }

    @Test
    void inQuorumOneStandbyIsEnoughForACommit() throws Exception {
        cluster.cli("sync", "quorum");
        awaitSyncStates("quorum");
        cluster.stop(Node.REPLICA2);

        writer.submit(() -> insert("one-standby-" + UUID.randomUUID())).get(COMMIT_BOUND_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void inAsyncACommitNeedsNoStandby() throws Exception {
        cluster.stop(Node.REPLICA1);
        cluster.stop(Node.REPLICA2);

        writer.submit(() -> insert("async-" + UUID.randomUUID())).get(COMMIT_BOUND_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void pgSyncModeSetsTheModeWhenTheClusterStarts() {
        cluster.cli(Map.of("PG_SYNC_MODE", "quorum"), "up");
        awaitSyncStates("quorum");
        cluster.cli("up");
        awaitSyncStates("quorum"); // unset: the cluster keeps the mode it was switched to
        cluster.cli(Map.of("PG_SYNC_MODE", "async"), "up");
        awaitSyncStates("async");
    }

    private Void insert(String id) throws SQLException {
        Connection c = cluster.superuser(Node.PRIMARY);
        synchronized (connections) {
            connections.add(c);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync_probe (id) VALUES (?)")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        return null;
    }

    /** The server's word that the commit is parked for a standby, not merely slow. */
    private void awaitBackendWaitingForStandby(String id) {
        String sql = "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"
                + " AND query LIKE 'INSERT INTO sync_probe%'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMIT_BOUND_SECONDS);
        while (cluster.queryLong(Node.PRIMARY, sql) == 0) {
            assertThat(System.nanoTime()).as("commit of %s waiting in SyncRep", id).isLessThan(deadline);
            TestCluster.sleep(50);
        }
    }

    /** Both standbys streaming with this sync_state (a walsender picks up a reload within moments). */
    private static void awaitSyncStates(String state) {
        String sql = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = '"
                + state + "' AND application_name IN ('replica1', 'replica2')";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.queryLong(Node.PRIMARY, sql) != 2) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("standbys are not both sync_state = " + state + ":\n" + cluster.cli("status"));
            }
            TestCluster.sleep(50);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = cluster.superuser(Node.PRIMARY); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
