package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster;

/**
 * A cluster of three replicas ({@code PGCLUSTER_REPLICAS=3 bin/cluster up}), every verb by node name:
 * up on the next ports, the quorum of all three standbys, the service's reads on all three (each
 * server's own pg_stat_statements), a failover that promotes the freshest of three (not the first),
 * the old primary rejoined as the third standby. As root, every node also gets a CPU budget
 * ({@code PGCLUSTER_NODE_CPUS}): every process of every node is in its node's cgroup, after the
 * failover and the rejoin too, and wipe removes the groups. One cluster, one service, in order.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeReplicasIT {

    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    static final TestCluster cluster = TestCluster.startNew("three-replicas", 4, 3);
    /** The search statement, as pg_stat_statements shows it (ReadWriteRoutingIT counts the same). */
    static final String SEARCH_SQL = "WHERE lower(first_name) ~>=~ (SELECT lower(";
    static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    static final boolean V1 = Files.exists(CGROUPS.resolve("cpu/cpu.cfs_quota_us"));

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ClusterTest.followingEveryNode(cluster, registry);
    }

    @Test
    @Order(1)
    void upStartsThreeStreamingStandbysOnTheNextPorts() {
        List<ClusterControl.Node> nodes = cluster.control().nodes();
        assertThat(nodes).extracting(ClusterControl.Node::name).containsExactly("primary", "replica1", "replica2", "replica3");
        assertThat(nodes).extracting(ClusterControl.Node::authority).containsExactly(cluster.authority("primary"),
                cluster.authority("replica1"), cluster.authority("replica2"), cluster.authority("replica3"));
        assertThat(nodes).extracting(ClusterControl.Node::role).containsExactly("primary", "replica", "replica", "replica");
        assertThat(cluster.cli("env")).contains("PG_AUTHORITY_REPLICA=" + cluster.replicaAuthorities());
        cluster.awaitReplicasCaughtUp("primary");
        // Recorded: a later command without PGCLUSTER_REPLICAS follows the cluster's size.
        assertThat(command(Map.of()).nodes()).hasSize(4);
        ClusterControl.Result fewer = command(Map.of("PGCLUSTER_REPLICAS", "2")).attempt(Map.of(), "up");
        assertThat(fewer.ok()).isFalse();
        assertThat(fewer.output()).contains("this cluster has 3 replicas");
    }

    @Test
    @Order(2)
    void quorumCountsEveryStandby() {
        assertThat(cluster.cli("sync", "quorum")).contains("sync mode: quorum (ANY 1 (replica1, replica2, replica3))");
        awaitUntil("all three standbys in the quorum", () -> {
            String status = cluster.cli("status");
            return Stream.of("replica1", "replica2", "replica3")
                    .allMatch(r -> status.matches("(?s).*" + r + "\\s*\\|\\s*streaming\\s*\\|\\s*quorum\\s*\\|.*"));
        });
        assertThat(cluster.cli("status")).contains("synchronous_standby_names = 'ANY 1 (replica1, replica2, replica3)'");
    }

    @Test
    @Order(3)
    void theServiceReadsOnAllThreeStandbysAndNeverOnThePrimary() {
        Map<String, Long> before = searches();
        Api api = new Api(port);
        for (int i = 0; i < 60; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Ив", "last_name", "Пет")).status()).isEqualTo(200);
        }
        Map<String, Long> done = since(before);
        assertThat(done.get("primary")).isZero();
        assertThat(done.get("replica1") + done.get("replica2") + done.get("replica3")).isEqualTo(60);
        // The service's round robin over three: about 20 each.
        assertThat(done.get("replica1")).isBetween(10L, 30L);
        assertThat(done.get("replica2")).isBetween(10L, 30L);
        assertThat(done.get("replica3")).isBetween(10L, 30L);
    }

    @Test
    @Order(4)
    void aCpuBudgetPutsEveryProcessOfEveryNodeInItsCgroup() {
        assumeThat(ROOT).as("cgroups are root's").isTrue();
        cluster.cli(Map.of("PGCLUSTER_NODE_CPUS", "0.5"), "up");
        Map<String, String> groups = assertEveryProcessInItsGroup();
        for (String group : groups.values()) {
            if (V1) {
                assertThat(read(CGROUPS.resolve("cpu").resolve(group).resolve("cpu.cfs_quota_us"))).isEqualTo("5000");
                assertThat(read(CGROUPS.resolve("cpu").resolve(group).resolve("cpu.cfs_period_us"))).isEqualTo("10000");
            } else {
                assertThat(read(CGROUPS.resolve(group).resolve("cpu.max"))).isEqualTo("5000 10000");
            }
        }
        // Each node's use, from its group: NAME CPUS USAGE_NS ...
        for (String line : cluster.control().run("cpu")) {
            String[] f = line.split(" ");
            assertThat(f[1]).as(line).isEqualTo("0.5");
            assertThat(Long.parseLong(f[2])).as(line).isPositive();
        }
    }

    @Test
    @Order(5)
    void failoverPromotesTheFreshestOfThreeAndTheOthersFollowIt() {
        cluster.execute("primary", "CREATE TABLE IF NOT EXISTS freshness_probe (id text PRIMARY KEY)");
        cluster.awaitReplicasCaughtUp("primary");
        // replica1 and replica2 stop receiving: only replica3 gets the next write.
        for (String behind : List.of("replica1", "replica2")) {
            cluster.execute(behind, "ALTER SYSTEM SET primary_conninfo = ''");
            cluster.execute(behind, "SELECT pg_reload_conf()");
            awaitUntil(behind + " stops receiving", () -> cluster.queryLong(behind, "SELECT count(*) FROM pg_stat_wal_receiver") == 0);
        }
        cluster.execute("primary", "INSERT INTO freshness_probe VALUES ('only-replica3-has-it')");
        cluster.kill(TestCluster.Node.PRIMARY);

        String failover = cluster.cli("failover");
        assertThat(failover).contains("promote replica3").contains("repointed replica1 to replica3")
                .contains("repointed replica2 to replica3");
        assertThat(cluster.role("replica3")).isEqualTo("primary");
        for (String n : List.of("replica1", "replica2", "replica3")) {
            awaitUntil(n + " has the write", () -> cluster.queryLong(n, "SELECT count(*) FROM freshness_probe") == 1);
        }
        if (ROOT) {
            assertEveryProcessInItsGroup();
        }
    }

    @Test
    @Order(6)
    void rejoinMakesTheOldPrimaryTheThirdStandbyAndTheServiceReadsOnAllThree() {
        cluster.cli("rejoin", "primary");
        assertThat(cluster.role("primary")).isEqualTo("replica");
        awaitUntil("three standbys stream from replica3", () -> cluster.queryLong("replica3",
                "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 3);
        assertThat(cluster.cli("status")).contains("synchronous_standby_names = 'ANY 1 (primary, replica1, replica2)'");
        assertThat(cluster.queryLong("primary", "SELECT count(*) FROM freshness_probe")).isEqualTo(1);

        // The service follows the new roles by itself: its reads reach every one of the three standbys.
        Api api = new Api(port);
        Map<String, Long> before = searches();
        awaitUntil("searches on primary, replica1 and replica2", () -> {
            for (int i = 0; i < 15; i++) {
                api.get("/user/search", Map.of("first_name", "Ан", "last_name", "Ко"));
            }
            Map<String, Long> done = since(before);
            return done.get("primary") > 0 && done.get("replica1") > 0 && done.get("replica2") > 0;
        });
        Map<String, Long> after = since(before);
        assertThat(after.get("replica3")).as("searches on the new primary").isZero();
        if (ROOT) {
            assertEveryProcessInItsGroup();
        }
    }

    @Test
    @Order(7)
    void wipeRemovesTheCgroups() {
        assumeThat(ROOT).as("cgroups are root's").isTrue();
        Map<String, String> groups = assertEveryProcessInItsGroup();
        cluster.wipe();
        for (String group : groups.values()) {
            for (String hierarchy : List.of("cpu", "cpuacct", "")) {
                assertThat(CGROUPS.resolve(hierarchy).resolve(group)).as(hierarchy + "/" + group).doesNotExist();
            }
        }
    }

    /** bin/cluster on this cluster's directory and port, with ENV but without PGCLUSTER_REPLICAS unless ENV has it. */
    private static ClusterControl command(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("PGCLUSTER_DIR", cluster.dir().toString());
        all.put("PGCLUSTER_PORT", Integer.toString(cluster.port("primary")));
        return ClusterControl.capturingStderr(List.of(Path.of("bin/cluster").toAbsolutePath().toString()), all,
                Duration.ofSeconds(180));
    }

    /** Searches each node executed since BEFORE ({@link #searches()}). */
    private static Map<String, Long> since(Map<String, Long> before) {
        Map<String, Long> now = searches();
        Map<String, Long> done = new HashMap<>();
        now.forEach((n, calls) -> done.put(n, calls - before.get(n)));
        return done;
    }

    /** Each node's own count of searches (pg_stat_statements). */
    private static Map<String, Long> searches() {
        Map<String, Long> calls = new HashMap<>();
        for (String n : cluster.nodeNames()) {
            calls.put(n, cluster.statementCalls(n, SEARCH_SQL));
        }
        return calls;
    }

    /**
     * Every process of every running node (its postmaster and the postmaster's children) is in one group of
     * its own node, in the cpu and the cpuacct hierarchies alike, named after the node; no two nodes
     * share a group. Returns each node's group.
     */
    private static Map<String, String> assertEveryProcessInItsGroup() {
        Map<String, String> groups = new HashMap<>();
        for (String n : cluster.nodeNames()) {
            if (cluster.role(n).equals("down")) {
                continue;
            }
            long postmaster = Long.parseLong(read(cluster.dir().resolve(n).resolve("data/postmaster.pid")).lines().findFirst().orElseThrow());
            List<Long> processes = new ArrayList<>(List.of(postmaster));
            processes.addAll(ProcessHandle.of(postmaster).orElseThrow().children().map(ProcessHandle::pid).toList());
            assertThat(processes).as(n + "'s processes").hasSizeGreaterThan(3);
            for (long pid : processes) {
                Optional<String> read = cgroupsOf(pid);
                if (read.isEmpty()) {
                    // A child that exited since it was listed (a backend, an autovacuum worker): nothing to check.
                    assertThat(pid).as(n + "'s postmaster is running").isNotEqualTo(postmaster);
                    continue;
                }
                String cgroups = read.get();
                // v1: the cpu and the cpuacct hierarchy's lines; v2: the unified one's ("0::/...").
                String hierarchies = V1 ? "\\d+:(cpu|cpuacct):/" : "0::/";
                List<String> mine = cgroups.lines().filter(l -> l.matches(hierarchies + ".*"))
                        .map(l -> l.replaceFirst(hierarchies, "")).distinct().toList();
                assertThat(mine).as("%s process %d: %s", n, pid, cgroups).hasSize(1)
                        .allMatch(g -> g.matches("socialnet-" + n + "-[0-9a-f]{8}"));
                groups.merge(n, mine.get(0), (a, b) -> {
                    assertThat(b).as(n).isEqualTo(a);
                    return a;
                });
            }
        }
        assertThat(groups.values()).doesNotHaveDuplicates();
        return groups;
    }

    private static Optional<String> cgroupsOf(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc/" + pid + "/cgroup")).strip());
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitUntil(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 60 s").isLessThan(deadline);
            TestCluster.sleep(200);
        }
    }
}
