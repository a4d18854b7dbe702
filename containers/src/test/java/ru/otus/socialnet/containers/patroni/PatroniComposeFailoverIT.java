package ru.otus.socialnet.containers.patroni;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.cluster.DbAccess;
import ru.otus.socialnet.containers.ComposeStack;
import ru.otus.socialnet.drill.DrillOptions;
import ru.otus.socialnet.drill.DrillResult;
import ru.otus.socialnet.drill.FailoverDrill;
import ru.otus.socialnet.drill.FailoverDrill.DrillRun;

/**
 * The Patroni compose variant (etcd, three Patroni nodes, HAProxy, all from the project's one Debian
 * image) under the failover drill: the service lists every node's published port, writers register
 * users through it, the leader's container is killed with SIGKILL, and Patroni elects another by
 * itself; the service, never restarted, follows, and with synchronous_mode (strict) on no acknowledged
 * write may be missing on the new leader. The drill drives the stack through
 * containers/src/test/shell/patroni-compose-cluster (the cluster-command contract; it promotes nothing).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PatroniComposeFailoverIT {

    static final int PATRONI_PORT = Integer.parseInt(System.getenv().getOrDefault("TEST_PATRONI_PORT", "26000"));
    static final Path REPORT = Path.of("target/drill/patroni-compose-quorum-report.md");
    static final ComposeStack stack = ComposeStack.start("docker/patroni/docker-compose.patroni.yaml", Map.of(
            "HA_HOST_PORT_PREFIX", hostPortPrefix(), "HA_SYNC_MODE", "quorum"));
    static final ClusterControl cluster = new ClusterControl(
            List.of(ComposeStack.REPO.resolve("containers/src/test/shell/patroni-compose-cluster").toString()),
            stack.environment());

    static {
        try {
            awaitLeaderWithTwoReplicas(Duration.ofMinutes(3));
        } catch (RuntimeException e) {
            stack.close(); // no @AfterAll runs when the class cannot be set up
            throw e;
        }
    }

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Map<String, String> env = new HashMap<>();
        cluster.run("env").forEach(line -> env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
        registry.add("pg.authority.master", () -> env.get("PG_AUTHORITY_MASTER"));
        registry.add("pg.authority.replica", () -> env.get("PG_AUTHORITY_REPLICA"));
        registry.add("pg.database", () -> "socialnet");
        registry.add("pg.user", () -> "socialnet");
        registry.add("pg.password", () -> "socialnet");
    }

    @AfterAll
    static void down() {
        stack.close();
    }

    @Test
    void patroniReplacesTheKilledLeaderContainerAndNoAcknowledgedWriteIsLost() throws Exception {
        // The election takes about ttl (10 s); 40 s of load run well past it.
        DrillOptions options = new DrillOptions("quorum", 4, Duration.ofSeconds(40), Duration.ofSeconds(6), false,
                URI.create("http://127.0.0.1:" + port), REPORT);
        DrillRun run = new FailoverDrill(cluster, new DbAccess("socialnet", "socialnet", "socialnet")).runAndReport(options);
        System.out.println(run.report());
        DrillResult r = run.result();

        assertThat(r).as("the drill completed (report: %s)", REPORT).isNotNull();
        assertThat(r.acknowledged()).as("acknowledged writes").hasSizeGreaterThan(10);
        assertThat(r.lost()).as("acknowledged writes missing on the new leader").isEmpty();
        assertThat(r.duplicated()).as("writes stored twice").isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(r.newPrimary()).as("the leader Patroni elected").isNotEqualTo(r.oldPrimary());
        assertThat(r.timeline()).extracting(ClusterControl.Event::text)
                .anyMatch(t -> t.startsWith("new leader " + r.newPrimary()) && t.contains("elected by Patroni"));
        assertThat(r.firstAckAfterKillMs()).as("writes resumed through the same, never restarted service").isPositive();
        assertThat(Files.readString(REPORT)).contains("PASSED (exit 0)");
    }

    /** The host ports' leading digits (HA_HOST_PORT_PREFIX): TEST_PATRONI_PORT's thousands, so they fall in its range. */
    static String hostPortPrefix() {
        if (PATRONI_PORT % 1000 != 0 || PATRONI_PORT < 2000 || PATRONI_PORT > 64000) {
            throw new IllegalStateException("TEST_PATRONI_PORT must be a multiple of 1000 (the compose variant publishes "
                    + "<thousands>432..434 and <thousands>500..502), not " + PATRONI_PORT);
        }
        return Integer.toString(PATRONI_PORT / 1000);
    }

    /** Standbys streaming from LEADER, by its pg_stat_replication (-1 while it does not answer). */
    static long streaming(ClusterControl.Node leader) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + leader.authority()
                + "/postgres?connectTimeout=3&socketTimeout=10", "postgres", "postgres");
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND replay_lsn IS NOT NULL")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    static void awaitLeaderWithTwoReplicas(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ClusterControl.Node> nodes = List.of();
        while (System.nanoTime() < deadline) {
            nodes = cluster.nodes();
            List<ClusterControl.Node> leaders = nodes.stream().filter(n -> n.role().equals("primary")).toList();
            if (leaders.size() == 1 && streaming(leaders.get(0)) == 2) {
                return;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no leader with two streaming replicas after " + timeout + ": " + nodes + "\n"
                + stack.logs("node1"));
    }
}
