package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import ru.otus.socialnet.testsupport.ComposeNode;
import ru.otus.socialnet.testsupport.SharedServerSettings;
import ru.otus.socialnet.testsupport.StatementStatistics;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.CliResult;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * The compose containers' entrypoint, docker/pg-node.sh, run unchanged on this machine (no Docker
 * engine here): one {@link ComposeNode} per service, peers at 127.0.0.1 ports instead of host
 * names. The story of one compose cluster: first start, a restart of everything, a failover and a
 * full {@code docker compose up} after it — where the former primary must refuse to come back as a
 * second primary and say what to run — and the commands it names.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeEntrypointIT {

    static final TestCluster cluster = TestCluster.empty("compose-cluster", 40);
    static final ComposeNode primary = new ComposeNode(cluster, Node.PRIMARY).env("PG_PEER_WAIT", "10");
    static final ComposeNode replica1 = new ComposeNode(cluster, Node.REPLICA1).env("PG_PEER_WAIT", "10");
    static final ComposeNode replica2 = new ComposeNode(cluster, Node.REPLICA2).env("PG_PEER_WAIT", "10");
    static String marker;

    @AfterAll
    static void stopAll() {
        List.of(primary, replica1, replica2).forEach(ComposeNode::stop);
        cluster.wipe();
    }

    @Test
    @Order(1)
    void firstStartBootstrapsTheClusterAndARestartOfEverythingKeepsTheRoles() throws Exception {
        primary.start("primary");
        replica1.start("replica");
        replica2.start("replica");
        ClusterRestartIT.awaitStreaming(cluster, Node.PRIMARY, Node.REPLICA1);
        ClusterRestartIT.awaitStreaming(cluster, Node.PRIMARY, Node.REPLICA2);
        ClusterRestartIT.createProbeTable(cluster);
        for (Node node : Node.values()) {
            try (var c = cluster.superuser(node)) {
                SharedServerSettings.assertRunsWithThem(c, node + " of the compose nodes");
                StatementStatistics.assertNoPasswords(c, node + " of the compose nodes");
            }
        }

        // docker compose restart / a reboot: every container at once, the primary in quorum mode.
        cluster.cli("down");
        primary.env("PG_SYNC_MODE", "quorum").start("primary");
        replica1.start("replica");
        replica2.start("replica");
        ClusterRestartIT.awaitStreaming(cluster, Node.PRIMARY, Node.REPLICA1);
        ClusterRestartIT.awaitStreaming(cluster, Node.PRIMARY, Node.REPLICA2);
        assertThat(cluster.role(Node.PRIMARY)).isEqualTo("primary");
        assertThat(cluster.cli("status")).contains("ANY 1 (replica1, replica2)");
        // Said only when it waited PG_PEER_WAIT out (node_guard_lead); a wall-clock bound failed a
        // loaded machine where nothing waited.
        assertThat(primary.output()).as("every peer answered: no waiting out PG_PEER_WAIT")
                .doesNotContain("peers answered in");
    }

    @Test
    @Order(2)
    void afterAFailoverTheFormerPrimaryRefusesOnAFullUpAndTheNewestLeads() throws Exception {
        marker = ClusterRestartIT.failOverWriteAndKillTheNewPrimary(cluster);
        cluster.cli("down");

        // docker compose up: all three containers at once.
        primary.start("primary");
        replica1.start("replica");
        replica2.start("replica");

        primary.awaitOutput("refuses to start as a primary", Duration.ofSeconds(60));
        assertThat(primary.output()).contains("replica", "on timeline 2", "primary only on 1",
                "docker compose stop primary && docker compose run --rm --no-deps primary rejoin replica1 && docker compose start primary");
        ClusterRestartIT.awaitStreaming(cluster, Node.REPLICA1, Node.REPLICA2);
        assertThat(cluster.role(Node.REPLICA1)).isEqualTo("primary");
        assertThat(ClusterRestartIT.stored(cluster, Node.REPLICA1, marker)).as("the acknowledged write").isEqualTo(1);
        assertThat(primary.isRunning()).as("it waits for the operator instead of restarting in a loop").isTrue();
        assertThat(listening(cluster.port(Node.PRIMARY))).as("no server on its port").isFalse();
        assertThat(listening(primary.decidePort())).as("nor on its decide port").isFalse();

        // PG_LEAD_ALONE=1 (the peers are gone for good) stays in a container's settings after the
        // 'up' that set it: a later start must still hear a peer that answers. It did not: the old
        // primary came back as a second primary beside replica1.
        primary.stop();
        primary.env("PG_LEAD_ALONE", "1").start("primary");
        primary.awaitOutput("refuses to start as a primary", Duration.ofSeconds(30));
        assertThat(listening(cluster.port(Node.PRIMARY))).as("no second primary").isFalse();
        primary.env("PG_LEAD_ALONE", "");

        // What it said to run.
        primary.stop();
        CliResult rejoin = primary.env("PG_PRIMARY_PORT", Integer.toString(cluster.port(Node.REPLICA1)))
                .run(Duration.ofSeconds(120), "rejoin", "127.0.0.1");
        assertThat(rejoin.ok()).as(rejoin.output()).isTrue();
        startPrimaryAsAStandbyOfReplica1();
    }

    @Test
    @Order(3)
    void aLeaderWithoutAnyAnsweringPeerWaitsAndPromoteIsRefusedWhileAPrimaryRuns() {
        cluster.cli("down");
        CliResult alone = replica1.env("PG_PEER_WAIT", "3").run(Duration.ofSeconds(60), "replica");
        assertThat(alone.exitCode()).as(alone.output()).isEqualTo(1);
        assertThat(alone.output()).contains("none of its peers", "answered in 3 s", "PG_LEAD_ALONE=1");

        replica1.env("PG_LEAD_ALONE", "1").start("replica");
        primary.start("primary");
        replica2.start("replica");
        ClusterRestartIT.awaitStreaming(cluster, Node.REPLICA1, Node.PRIMARY);
        ClusterRestartIT.awaitStreaming(cluster, Node.REPLICA1, Node.REPLICA2);

        CliResult promote = replica2.run(Duration.ofSeconds(60), "promote");
        assertThat(promote.ok()).isFalse();
        assertThat(promote.output()).contains("not promoting replica2", "replica1 claims timeline 2 as a primary");
        assertThat(cluster.role(Node.REPLICA2)).isEqualTo("replica");
    }

    /**
     * A standby that was down while the cluster was switched to quorum, started by its container
     * (docker compose start, not bin/compose-cluster start): it kept async, and a failover that
     * promoted it ran async. It takes the running primary's mode, with its own quorum.
     */
    @Test
    @Order(4)
    void aStandbyThatMissedASyncSwitchTakesThePrimarysModeWhenItsContainerStarts() {
        assertThat(cluster.cli("sync", "async")).contains("async");
        replica2.stop();
        assertThat(cluster.cli("sync", "quorum")).contains("replica2 is not a running standby");
        try {
            replica2.start("replica");
            ClusterRestartIT.awaitStreaming(cluster, Node.REPLICA1, Node.REPLICA2);
            assertThat(setting(Node.REPLICA2, "synchronous_standby_names"))
                    .as("the mode replica2 keeps if it is promoted\n%s", replica2.output())
                    .isEqualTo("ANY 1 (primary, replica1)");
        } finally {
            // The later tests promote nodes with no standby left: they run async.
            cluster.cli("sync", "async");
        }
    }

    /**
     * A replica's volume replaced by an empty one after a failover: its settings still name the
     * first primary, now a standby without a slot for it. It cloned from there and restart-looped on
     * "replication slot does not exist"; it must clone from the primary there is.
     */
    @Test
    @Order(5)
    void anEmptyReplicaVolumeAfterAFailoverClonesFromTheCurrentPrimary() {
        replica2.stop();
        cluster.shell("rm -rf \"$PGCLUSTER_DIR/replica2\"");
        replica2.start("replica");
        ClusterRestartIT.awaitStreaming(cluster, Node.REPLICA1, Node.REPLICA2);
        cluster.awaitReplicasCaughtUp(Node.REPLICA1);
        assertThat(ClusterRestartIT.stored(cluster, Node.REPLICA2, marker)).as("the acknowledged write").isEqualTo(1);
        assertThat(replica2.output()).contains("replica1 is the primary", "not 127.0.0.1:" + cluster.port(Node.PRIMARY));
    }

    @Test
    @Order(6)
    void anEmptyPrimaryVolumeNextToARunningClusterIsClonedNotInitialised() throws Exception {
        primary.stop();
        cluster.shell("rm -rf \"$PGCLUSTER_DIR/primary\"");
        primary.start("primary");
        primary.awaitOutput("primary has no data, but", Duration.ofSeconds(60));
        assertThat(primary.output()).contains("clone it instead of initialising a second one");

        primary.stop();
        CliResult clone = primary.run(Duration.ofSeconds(120), "clone", "127.0.0.1");
        assertThat(clone.ok()).as(clone.output()).isTrue();
        startPrimaryAsAStandbyOfReplica1();
    }

    /**
     * The promoted node died before anyone followed it and before its checkpoint (a bare
     * promotion), and every container starts at once: the only evidence of its timeline is its
     * own files, which it shows from its decide port.
     */
    @Test
    @Order(7)
    void aPromotedNodeThatNobodyFollowedStillLeadsOnAFullUp() throws Exception {
        cluster.kill(Node.REPLICA1);
        cluster.queryLong(Node.REPLICA2, "SELECT count(*) FROM (SELECT pg_promote(true, 60)) p");
        String written = ClusterRestartIT.acknowledgedWrite(cluster, Node.REPLICA2);
        cluster.kill(Node.REPLICA2);
        cluster.cli("down");

        primary.start("primary");
        replica1.env("PG_LEAD_ALONE", "").start("replica");
        replica2.start("replica");

        replica1.awaitOutput("refuses to start as a primary", Duration.ofSeconds(60));
        assertThat(replica1.output()).contains("replica2 is on timeline 3", "rejoin replica2");
        long deadline = System.nanoTime() + 60_000_000_000L;
        // A primary on its own port: while it asks its peers it already is one, but on its decide port.
        while (!"primary".equals(cluster.role(Node.REPLICA2)) || !listening(cluster.port(Node.REPLICA2))) {
            assertThat(System.nanoTime()).as("replica2 leads\n%s", replica2.output()).isLessThan(deadline);
            TestCluster.sleep(200);
        }
        assertThat(ClusterRestartIT.stored(cluster, Node.REPLICA2, written)).isEqualTo(1);
        // primary, a standby of the dead replica1, is repointed as the README says.
        CliResult follow = primary.env("PG_PRIMARY_PORT", Integer.toString(cluster.port(Node.REPLICA2)))
                .run(Duration.ofSeconds(60), "follow", "127.0.0.1");
        assertThat(follow.ok()).as(follow.output()).isTrue();
        ClusterRestartIT.awaitStreaming(cluster, Node.REPLICA2, Node.PRIMARY);
    }

    /** The primary container again, now a standby of replica1 with the acknowledged write. */
    private static void startPrimaryAsAStandbyOfReplica1() {
        primary.start("primary");
        ClusterRestartIT.awaitStreaming(cluster, Node.REPLICA1, Node.PRIMARY);
        cluster.awaitReplicasCaughtUp(Node.REPLICA1);
        assertThat(ClusterRestartIT.stored(cluster, Node.PRIMARY, marker)).isEqualTo(1);
    }

    private static String setting(Node node, String name) {
        try (var c = cluster.superuser(node); var st = c.prepareStatement("SELECT current_setting(?)")) {
            st.setString(1, name);
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(node + ": " + e.getMessage(), e);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
