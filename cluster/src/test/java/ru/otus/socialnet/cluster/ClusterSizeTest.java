package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestCluster;

/**
 * bin/cluster's size (PGCLUSTER_REPLICAS) and recorded settings, where no server is needed: the node
 * names, ports and addresses each verb uses, what is refused before anything starts. Servers: the
 * shared cluster's two replicas in every IT, three in ThreeReplicasIT.
 */
class ClusterSizeTest {

    static final int PORT = 40000; // nothing listens: every node is down

    /** Under target/, not a JUnit temporary directory (0700): the servers' OS user must reach it when root runs this. */
    final Path dir = Path.of("target/cluster-size-test", UUID.randomUUID().toString()).toAbsolutePath();

    @BeforeEach
    void directory() throws IOException {
        Files.createDirectories(dir);
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    ClusterControl.Result run(Map<String, String> env, String args) {
        Map<String, String> all = new HashMap<>(env);
        all.put("PGCLUSTER_DIR", dir.toString());
        all.put("PGCLUSTER_PORT", Integer.toString(PORT));
        return ClusterControl.capturingStderr(List.of(Path.of("bin/cluster").toAbsolutePath().toString()), all,
                Duration.ofSeconds(60)).attempt(Map.of(), args.split(" "));
    }

    @Test
    void twoReplicasByDefault() {
        assertThat(run(Map.of(), "nodes").output()).isEqualTo("""
                primary 127.0.0.1:40000 down
                replica1 127.0.0.1:40001 down
                replica2 127.0.0.1:40002 down
                """);
    }

    @Test
    void replicaKTakesThePrimarysPortPlusK() {
        assertThat(run(Map.of("PGCLUSTER_REPLICAS", "4"), "nodes").output()).isEqualTo("""
                primary 127.0.0.1:40000 down
                replica1 127.0.0.1:40001 down
                replica2 127.0.0.1:40002 down
                replica3 127.0.0.1:40003 down
                replica4 127.0.0.1:40004 down
                """);
        assertThat(run(Map.of("PGCLUSTER_REPLICAS", "1"), "nodes").output()).isEqualTo("""
                primary 127.0.0.1:40000 down
                replica1 127.0.0.1:40001 down
                """);
    }

    @Test
    void theServiceGetsEveryNode() {
        assertThat(run(Map.of("PGCLUSTER_REPLICAS", "3"), "env").output())
                .contains("PG_AUTHORITY_MASTER=127.0.0.1:40000,127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003\n")
                .contains("PG_AUTHORITY_REPLICA=127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003\n");
    }

    @Test
    void oneToFourReplicas() {
        for (String wrong : List.of("0", "5", "two", "-1")) {
            ClusterControl.Result r = run(Map.of("PGCLUSTER_REPLICAS", wrong), "nodes");
            assertThat(r.ok()).as(wrong).isFalse();
            assertThat(r.output()).contains("PGCLUSTER_REPLICAS must be a number of replicas from 1 to 4, not '" + wrong + "'");
        }
    }

    @Test
    void theRecordedSizeRulesLaterCommands() throws IOException {
        Files.writeString(dir.resolve("cluster.conf"), "replicas=3\n");
        assertThat(run(Map.of(), "nodes").output().lines()).hasSize(4);
        // Set for another command than up, the variable does not resize a recorded cluster.
        assertThat(run(Map.of("PGCLUSTER_REPLICAS", "1"), "nodes").output().lines()).hasSize(4);
    }

    @Test
    void fewerReplicasThanRecordedAreRefusedBeforeAnythingStarts() throws IOException {
        Files.writeString(dir.resolve("cluster.conf"), "replicas=3\n");
        ClusterControl.Result r = run(Map.of("PGCLUSTER_REPLICAS", "2"), "up");
        assertThat(r.ok()).isFalse();
        assertThat(r.output()).contains("this cluster has 3 replicas").contains("bin/cluster wipe, then PGCLUSTER_REPLICAS=2 bin/cluster up");
        assertThat(dir.resolve("primary")).doesNotExist();
    }

    @Test
    void aNodeBeyondTheSizeIsUnknown() {
        ClusterControl.Result r = run(Map.of("PGCLUSTER_REPLICAS", "1"), "stop replica2");
        assertThat(r.ok()).isFalse();
        assertThat(r.output()).contains("unknown node 'replica2' (primary replica1)");
    }

    @Test
    void aWrongCpuBudgetIsRefusedBeforeAnythingStarts() {
        ClusterControl.Result r = run(Map.of("PGCLUSTER_NODE_CPUS", "half"), "up");
        assertThat(r.ok()).isFalse();
        assertThat(r.output()).contains("PGCLUSTER_NODE_CPUS must be a number of CPUs from 0.01 to 64, 'max' or 'none', not 'half'");
        assertThat(dir.resolve("primary")).doesNotExist();
    }

    @Test
    void onANetworkReplicaKIsAtDot11PlusK() {
        // netns_addr of cluster/netns-functions.sh, by the node's place in bin/cluster's NODES.
        String out = TestCluster.withFunctions(Map.of(), """
                source cluster/netns-functions.sh
                NODES=(primary replica1 replica2 replica3 replica4) NETNS_SUBNET=198.18.0
                for n in "${NODES[@]}"; do netns_addr "$n"; done
                (netns_addr replica5) 2>&1 || true
                """);
        assertThat(out).isEqualTo("""
                198.18.0.11
                198.18.0.12
                198.18.0.13
                198.18.0.14
                198.18.0.15
                error: unknown node 'replica5' (primary replica1 replica2 replica3 replica4)
                """);
    }

    @Test
    void withoutABudgetNodesHaveNoGroup() {
        assertThat(run(Map.of(), "cpu").output()).isEqualTo("""
                primary none - - - -
                replica1 none - - - -
                replica2 none - - - -
                """);
    }
}
