package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.cluster.ClusterControl.Event;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * {@code bin/compose-cluster}, the compose cluster's host-side command, run for real against real
 * PostgreSQL servers, with only the container transport substituted: the {@code docker} found
 * first on PATH is {@code cluster/src/test/shell/docker}, a test double of the compose v2 CLI that
 * turns {@code docker exec CONTAINER CMD} into CMD run in that node's environment, {@code run --rm}
 * into {@code docker/pg-node.sh} run to its end on the node's directory, and {@code up}/{@code start}/
 * {@code stop}/{@code kill} into starting and signalling {@code docker/pg-node.sh} (the compose
 * entrypoint, unchanged) as a process group per "container". The nodes reach each other at
 * 127.0.0.1 ports instead of host names, as in {@link ComposeEntrypointIT}.
 *
 * <p>What it proves: the compose command keeps the cluster-command contract that
 * {@link ClusterControl} (the drill's client) parses — {@code nodes}, {@code env}, {@code sync},
 * {@code kill}, {@code failover}, {@code rejoin}, the {@code event} lines — and its hooks make the
 * shared orchestration of cluster/pg-functions.sh work through the containers: the sync mode kept
 * through a failover, the refusals, a rejoin by pg_rewind in a one-off container, and the timeline
 * evidence of a node whose container is stopped (read in a one-off container) stopping an unsafe
 * promotion. What it does not prove: anything of Docker itself — the real compose command lines and
 * their answers, container networking and host names, the restart policy, and that the host reaches the
 * containers' addresses: the module {@code containers} runs those for real (with docker-compose v1 here;
 * this double keeps the v2 form, {@code docker compose}, covered).
 */
class ComposeClusterCommandIT {

    static final TestCluster cluster = TestCluster.empty("compose-command", 50);
    static final Path repo = Path.of("").toAbsolutePath();
    static final Map<String, String> env = Map.of(
            "PATH", repo.resolve("cluster/src/test/shell") + ":" + System.getenv("PATH"),
            "DOUBLE_DIR", cluster.dir().toString(),
            "DOUBLE_PORT", Integer.toString(cluster.port(Node.PRIMARY)),
            "DOUBLE_REPO", repo.toString());
    static final ClusterControl compose = ClusterControl.capturingStderr(
            List.of(repo.resolve("bin/compose-cluster").toString()), env, Duration.ofSeconds(240));
    /**
     * 'nodes' read from its stdout alone, as the drill reads it: with stderr captured too, a line a
     * one-off container's server writes to stderr can land inside a node's line (CI: a node missing).
     */
    static final ClusterControl listing = new ClusterControl(
            List.of(repo.resolve("bin/compose-cluster").toString()), env, ProcessBuilder.Redirect.DISCARD);

    @AfterAll
    static void stopAll() throws Exception {
        ProcessBuilder stop = new ProcessBuilder(repo.resolve("cluster/src/test/shell/docker").toString(), "compose", "stop",
                "primary", "replica1", "replica2").inheritIO();
        stop.environment().putAll(env);
        stop.start().waitFor(120, TimeUnit.SECONDS);
        cluster.wipe();
    }

    @Test
    void failoverAndRejoinThroughTheComposeCommandKeepTheContractTheModeAndTheWrites() throws Exception {
        compose.run("up");
        assertThat(listing.nodes()).extracting(ClusterControl.Node::name, ClusterControl.Node::authority,
                ClusterControl.Node::role).containsExactly(
                        tuple("primary", cluster.authority(Node.PRIMARY), "primary"),
                        tuple("replica1", cluster.authority(Node.REPLICA1), "replica"),
                        tuple("replica2", cluster.authority(Node.REPLICA2), "replica"));
        assertThat(compose.run("env")).contains("PG_AUTHORITY_MASTER=" + cluster.allAuthorities(),
                "PG_AUTHORITY_REPLICA=" + cluster.replicaAuthorities());
        ClusterRestartIT.createProbeTable(cluster);

        // A standby down at the switch to quorum takes the running primary's mode when it starts (the
        // container's own PG_SYNC_MODE says async): a failover to it must not run async.
        compose.run("stop", "replica2");
        compose.run("sync", "quorum");
        compose.run("start", "replica2");
        try (var c = cluster.superuser(Node.REPLICA2); var rs = c.createStatement().executeQuery("SHOW synchronous_standby_names")) {
            rs.next();
            assertThat(rs.getString(1)).as("replica2, down at the switch, started again").isEqualTo("ANY 1 (primary, replica1)");
        }
        String marker = ClusterRestartIT.acknowledgedWrite(cluster, Node.PRIMARY);
        List<Event> killed = compose.events("kill", "primary");
        assertThat(killed).extracting(Event::text).anyMatch(t -> t.startsWith("primary is down"));

        List<Event> failover = compose.events("failover");
        assertThat(failover).extracting(Event::text).anyMatch(t -> t.matches("promote replica[12] \\(sync mode quorum\\)"))
                .anyMatch(t -> t.matches("replica[12] streams from replica[12] on timeline 2"));
        Node promoted = compose.primary().name().equals("replica1") ? Node.REPLICA1 : Node.REPLICA2;
        Node other = promoted == Node.REPLICA1 ? Node.REPLICA2 : Node.REPLICA1;
        try (var c = cluster.superuser(promoted); var rs = c.createStatement().executeQuery("SHOW synchronous_standby_names")) {
            rs.next();
            assertThat(rs.getString(1)).as("the mode switched before the kill, kept by the promoted standby")
                    .isEqualTo("ANY 1 (primary, " + other.cliName + ")");
        }
        assertThat(ClusterRestartIT.stored(cluster, promoted, marker)).as("the acknowledged write").isEqualTo(1);

        ClusterControl.Result again = compose.attempt(Map.of(), "failover");
        assertThat(again.ok()).isFalse();
        assertThat(again.output()).contains("is running as the primary", "bin/compose-cluster stop " + promoted.cliName);

        List<Event> rejoin = compose.events("rejoin", "primary");
        assertThat(rejoin).extracting(Event::text).containsExactly(
                "primary rejoined as a standby of " + promoted.cliName + " (timeline 2)");
        assertThat(listing.nodes()).extracting(ClusterControl.Node::role).containsExactlyInAnyOrder("primary", "replica", "replica");
        ClusterRestartIT.awaitStreaming(cluster, promoted, Node.PRIMARY);
        cluster.awaitReplicasCaughtUp(promoted);
        assertThat(ClusterRestartIT.stored(cluster, Node.PRIMARY, marker)).isEqualTo(1);

        // A bare promotion behind the tools' back, a write on it, and its container killed: only its
        // volume, read in a one-off container, shows the newest timeline. No failover may fork it.
        compose.run("sync", "async");
        compose.run("kill", promoted.cliName);
        cluster.queryLong(other, "SELECT count(*) FROM (SELECT pg_promote(true, 60)) p");
        ClusterRestartIT.acknowledgedWrite(cluster, other);
        compose.run("kill", other.cliName);
        ClusterControl.Result unsafe = compose.attempt(Map.of(), "failover");
        assertThat(unsafe.ok()).as(unsafe.output()).isFalse();
        assertThat(unsafe.output()).contains("primary is on timeline 2, but " + other.cliName + " holds timeline 3",
                "bin/compose-cluster up");
        assertThat(listing.nodes()).extracting(ClusterControl.Node::role).containsExactly("replica", "down", "down");
    }
}
