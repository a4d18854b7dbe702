package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import ru.otus.socialnet.cluster.ClusterControl.Node;
import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.testsupport.TestNetworks;

/**
 * The cluster on a network (PGCLUSTER_NETNS=1 bin/cluster, cluster/netns-functions.sh): each node in a
 * namespace of its own, and the network faults bin/chaos injects — measured from the root namespace,
 * where the service lives, through real connections. Needs root; without it the mode must refuse
 * clearly, and that is what runs then.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterOnANetworkIT {

    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("TEST_CLUSTER_PORT", "25432")) + 30;
    static final Path DIR = Path.of("target/netns-cluster").toAbsolutePath();
    static final Map<String, String> ENV = Map.of("PGCLUSTER_DIR", DIR.toString(), "PGCLUSTER_PORT", Integer.toString(PORT),
            "PGCLUSTER_NETNS", "1", "PGCLUSTER_NETNS_PREFIX", TestNetworks.CLUSTER_TEST_PREFIX, "PGCLUSTER_NETNS_SUBNET", TestNetworks.CLUSTER_TEST_SUBNET,
            "PGCONNECT_TIMEOUT", "3");
    /** The test's own /24 (TestNetworks). */
    static final String NET = TestNetworks.CLUSTER_TEST_SUBNET + ".";
    static final ClusterControl CLUSTER = new ClusterControl(List.of(Path.of("bin/cluster").toAbsolutePath().toString()), ENV);

    @BeforeAll
    static void up() {
        if (ROOT) {
            CLUSTER.run("wipe");
            CLUSTER.run("up");
        }
    }

    @AfterAll
    static void wipe() {
        if (ROOT) {
            CLUSTER.run("wipe");
        }
    }

    @Test
    @Order(0)
    void withoutRootTheModeRefusesAndSaysWhy() throws Exception {
        // As root, the refusal is tried as the servers' unprivileged user, in a directory it may create.
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "netns-refusal-" + ProcessHandle.current().pid());
        List<String> command = new ArrayList<>(ROOT ? List.of("runuser", "-u", "postgres", "--") : List.of());
        command.addAll(List.of("env", "PGCLUSTER_NETNS=1", "PGCLUSTER_DIR=" + dir, "PGCLUSTER_PORT=" + (PORT + 5)));
        command.addAll(List.of(Path.of("bin/cluster").toAbsolutePath().toString(), "up"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(out).contains("the cluster on a network needs root", "use the plain local cluster");
        assertThat(dir.resolve("netns.conf")).as("nothing recorded").doesNotExist();
        run("rm", "-rf", dir.toString());
    }

    @Test
    @Order(1)
    void eachNodeHasItsOwnAddressAndAdmitsTcpOnlyFromTheNamespaceSubnet() throws Exception {
        if (!ROOT) {
            return; // needs root: covered by withoutRootTheModeRefusesAndSaysWhy
        }
        assertThat(CLUSTER.nodes()).extracting(Node::authority)
                .containsExactly(NET + "11:" + PORT, NET + "12:" + (PORT + 1), NET + "13:" + (PORT + 2));
        assertThat(CLUSTER.run("env")).contains("PG_AUTHORITY_REPLICA=" + NET + "12:" + (PORT + 1) + "," + NET + "13:" + (PORT + 2));
        String hba = Files.readString(dataDir("primary").resolve("pg_hba.conf"));
        assertThat(hba).contains(NET + "0/24").doesNotContain("127.0.0.1");
        try (Connection c = connect(NET + "12", PORT + 1, 2)) {
            assertThat(query(c, "SELECT pg_is_in_recovery()::text")).isEqualTo("true");
        }
        assertThat(run("ip", "netns", "list")).contains("snrt-primary", "snrt-replica1", "snrt-replica2");
    }

    @Test
    @Order(2)
    void aPartitionedReplicaIsAliveButUnreachableUntilHealed() throws Exception {
        if (!ROOT) {
            return;
        }
        CLUSTER.run("partition", "replica1");
        long start = System.nanoTime();
        assertThatThrownBy(() -> connect(NET + "12", PORT + 1, 2).close()).isInstanceOf(SQLException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("packets vanish: a timeout, not a refusal")
                .isGreaterThanOrEqualTo(1_500);
        assertThat(role("replica1")).as("down as its clients see it").isEqualTo("down");
        assertThat(run("pgrep", "-f", "postgres -D " + dataDir("replica1"))).as("its server still runs").isNotBlank();
        CLUSTER.run("heal", "replica1");
        try (Connection c = connect(NET + "12", PORT + 1, 2)) {
            assertThat(query(c, "SELECT 1")).isEqualTo("1");
        }
        assertThat(role("replica1")).isEqualTo("replica");
    }

    @Test
    @Order(3)
    void aDelayedNodeAnswersLaterByTheDelayAndHealsBack() throws Exception {
        if (!ROOT) {
            return;
        }
        try (Connection c = connect(NET + "13", PORT + 2, 10)) {
            long before = roundTripMs(c);
            CLUSTER.run("delay", "replica2", "300");
            long delayed = roundTripMs(c);
            CLUSTER.run("heal", "replica2");
            long after = roundTripMs(c);
            assertThat(delayed).as("a round trip with 300 ms added to every packet the node sends")
                    .isGreaterThanOrEqualTo(300).isGreaterThan(before + 250);
            assertThat(after).isLessThan(delayed - 200);
        }
    }

    @Test
    @Order(4)
    void aPausedNodeHangsAndResumes() throws Exception {
        if (!ROOT) {
            return;
        }
        try (Connection c = connect(NET + "13", PORT + 2, 2)) {
            CLUSTER.run("pause", "replica2");
            try {
                assertThatThrownBy(() -> query(c, "SELECT 1")).isInstanceOf(SQLException.class);
            } finally {
                CLUSTER.run("resume", "replica2");
            }
        }
        try (Connection c = connect(NET + "13", PORT + 2, 5)) {
            assertThat(query(c, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    @Order(5)
    void aPartitionedPrimaryCanBeFailedOverAndComesBackAsASecondPrimaryOnTheOldTimeline() throws Exception {
        if (!ROOT) {
            return;
        }
        CLUSTER.run("partition", "primary");
        CLUSTER.events("failover");
        assertThat(role("primary")).isEqualTo("down");
        CLUSTER.run("heal", "primary");
        assertThat(CLUSTER.nodes()).filteredOn(n -> n.role().equals("primary")).extracting(Node::name)
                .containsExactlyInAnyOrder("primary", "replica1");
        try (Connection old = connect(NET + "11", PORT, 5)) {
            assertThat(query(old, "SELECT pg_is_in_recovery()::text")).as("the old primary still takes writes").isEqualTo("false");
        }
    }

    @Test
    @Order(6)
    void wipeRemovesTheNamespacesTheLinksAndTheBridge() throws Exception {
        if (!ROOT) {
            return;
        }
        CLUSTER.run("wipe");
        assertThat(run("ip", "netns", "list")).doesNotContain("snrt-");
        assertThat(run("ip", "-o", "link", "show")).doesNotContain("snrtbr0", "snrtv-");
        CLUSTER.run("up"); // for @AfterAll's wipe: the suite leaves nothing behind either way
    }

    /**
     * Docker, starting on a machine where IP forwarding was off, sets the host's FORWARD policy to DROP and
     * lets bridged frames pass iptables (br_netfilter, bridge-nf-call-iptables=1). With exactly those two
     * settings the nodes on the cluster's bridge must still reach each other (before the cluster brought
     * its own rule: "only 0 of 2 standbys are streaming after 60 s"), and the rule leaves with the cluster.
     */
    @Test
    @Order(7)
    void behindDockersFirewallSettingsTheStandbysStreamAndTheClusterTakesItsRuleAway() throws Exception {
        if (!ROOT) {
            return;
        }
        String bridge = TestNetworks.CLUSTER_TEST_PREFIX + "br0";
        CLUSTER.run("wipe");
        try (DockersFirewall firewall = DockersFirewall.set()) {
            CLUSTER.run("up");
            assertThat(run("iptables", "-w", "-S", "FORWARD")).contains("-P FORWARD DROP", "-i " + bridge + " -o " + bridge);
            try (Connection c = connect(NET + "11", PORT, 5)) {
                assertThat(query(c, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")).isEqualTo("2");
            }
            CLUSTER.run("wipe");
            assertThat(run("iptables", "-w", "-S", "FORWARD")).doesNotContain(bridge);
        }
        CLUSTER.run("up"); // for @AfterAll's wipe
    }

    /** FORWARD policy DROP and bridge-nf-call-iptables=1 until closed, then what they were before. */
    private record DockersFirewall(String policy, String bridgeNf) implements AutoCloseable {
        static final Path BRIDGE_NF = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");

        static DockersFirewall set() throws IOException, InterruptedException {
            if (!Files.exists(BRIDGE_NF)) {
                run("modprobe", "br_netfilter");
            }
            assertThat(BRIDGE_NF).as("br_netfilter (every engine needs it)").exists();
            String policy = run("iptables", "-w", "-S", "FORWARD").lines().filter(l -> l.startsWith("-P FORWARD "))
                    .findFirst().orElseThrow().substring("-P FORWARD ".length()).strip();
            DockersFirewall before = new DockersFirewall(policy, Files.readString(BRIDGE_NF).strip());
            run("iptables", "-w", "-P", "FORWARD", "DROP");
            Files.writeString(BRIDGE_NF, "1");
            return before;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            run("iptables", "-w", "-P", "FORWARD", policy);
            Files.writeString(BRIDGE_NF, bridgeNf);
        }
    }

    private static Path dataDir(String node) {
        return DIR.resolve(node).resolve("data");
    }

    private static String role(String name) {
        return CLUSTER.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow().role();
    }

    private static Connection connect(String host, int port, int timeoutSeconds) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/socialnet?connectTimeout="
                + timeoutSeconds + "&socketTimeout=" + timeoutSeconds, "socialnet", "socialnet");
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The best of three SELECT 1 round trips on an open connection, in ms. */
    private static long roundTripMs(Connection c) throws SQLException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            query(c, "SELECT 1");
            best = Math.min(best, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        return best;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
