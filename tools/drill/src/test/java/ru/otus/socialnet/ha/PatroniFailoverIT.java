package ru.otus.socialnet.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.cluster.DbAccess;
import ru.otus.socialnet.drill.DrillOptions;
import ru.otus.socialnet.drill.DrillResult;
import ru.otus.socialnet.drill.FailoverDrill.DrillRun;
import ru.otus.socialnet.drill.FailoverDrill;
import ru.otus.socialnet.testsupport.PatroniCluster;
import ru.otus.socialnet.testsupport.SharedServerSettings;
import ru.otus.socialnet.testsupport.StatementStatistics;
import ru.otus.socialnet.testsupport.TestCluster;

/**
 * The failover drill (the same {@link FailoverDrill} as on the manual cluster) in Patroni mode:
 * the service lists every node in PG_AUTHORITY_MASTER, writers register users through it, the
 * leader is killed with -9 (Patroni and the postmaster's process group), and Patroni elects a new
 * one by itself; nobody promotes anything. Writes must come back on the new leader without
 * restarting the service, and with synchronous_mode + synchronous_mode_strict no acknowledged
 * write may be missing there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PatroniFailoverIT {

    static final PatroniCluster patroni = PatroniCluster.startFresh();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("pg.authority.master", patroni::allAuthorities);
        registry.add("pg.authority.replica", patroni::replicaAuthorities);
        registry.add("pg.database", () -> TestCluster.DATABASE);
        registry.add("pg.user", () -> TestCluster.APP_USER);
        registry.add("pg.password", () -> TestCluster.APP_PASSWORD);
    }

    @AfterAll
    static void wipe() {
        patroni.wipe();
    }

    /** Writes must be acknowledged again this soon after Patroni elected the new leader. */
    static final long RESUME_BOUND_MS = 10_000;

    /** Slow statements are logged on every node, never with bind parameters; the shared settings (patroni.yml, bootstrap.dcs). */
    @Test
    void everyNodeLogsSlowStatementsWithoutTheirParameters() throws Exception {
        for (ClusterControl.Node node : patroni.control().nodes()) {
            assertThat(node.role()).as("%s is up", node.name()).isNotEqualTo("down");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + node.authority() + "/postgres",
                    "postgres", "postgres"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT current_setting('log_parameter_max_length'),
                                current_setting('log_parameter_max_length_on_error'),
                                current_setting('log_min_duration_statement')""")) {
                rs.next();
                assertThat(rs.getString(1)).as("log_parameter_max_length on %s", node.authority()).isEqualTo("0");
                assertThat(rs.getString(2)).as("log_parameter_max_length_on_error on %s", node.authority()).isEqualTo("0");
                assertThat(rs.getString(3)).as("log_min_duration_statement on %s", node.authority()).isEqualTo("1s");
                // And every other setting the modes share, as the local cluster has them (SlowStatementLogIT).
                SharedServerSettings.assertRunsWithThem(c, node.name() + " of the Patroni cluster");
            }
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + node.authority() + "/"
                    + TestCluster.DATABASE, "postgres", "postgres")) {
                StatementStatistics.assertNoPasswords(c, node.name() + " of the Patroni cluster");
            }
        }
    }

    /**
     * A frozen agent woken again (the campaign's pause-agent fault) leaves nothing stopped behind.
     * As root, Patroni runs under runuser, which stops itself when its child stops and was never
     * woken: every such fault left a stopped runuser, and a zombie Patroni once the agent was gone.
     */
    @Test
    void aFrozenAgentWokenAgainLeavesNothingStoppedBehind() throws Exception {
        String replica = patroni.control().nodes().stream().filter(n -> n.role().equals("replica")).findFirst()
                .orElseThrow().name();
        patroni.control().run("pause", replica, "agent");
        patroni.control().run("resume", replica);
        long agent = Long.parseLong(Files.readString(Path.of("target/patroni-cluster", replica, "patroni.pid")).strip());
        long parent = ProcessHandle.of(agent).flatMap(ProcessHandle::parent).orElseThrow().pid();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (state(parent).equals("T") && System.nanoTime() < deadline) {
            TestCluster.sleep(100);
        }
        assertThat(state(agent)).as("%s's Patroni", replica).isNotEqualTo("T");
        assertThat(state(parent)).as("the process that waits on %s's Patroni", replica).isNotEqualTo("T");
    }

    /** A process's state letter (R, S, T, Z...) from /proc. */
    static String state(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void patroniReplacesTheKilledLeaderAndNoAcknowledgedWriteIsLost() throws Exception {
        // Failover takes about ttl (10 s) + a loop; 40 s of load run on well past the election
        // plus RESUME_BOUND_MS, so that bound can fail (with 30 s a loaded machine saw the election
        // late enough to leave less than the bound).
        Path report = Path.of("target/drill/patroni-quorum-report.md");
        DrillOptions options = new DrillOptions("quorum", 4, Duration.ofSeconds(40), Duration.ofSeconds(4), true,
                URI.create("http://127.0.0.1:" + port), report);
        DrillRun run = new FailoverDrill(patroni.control(), new DbAccess(TestCluster.DATABASE,
                TestCluster.APP_USER, TestCluster.APP_PASSWORD)).runAndReport(options);
        System.out.println(run.report());
        DrillResult r = run.result();

        assertThat(r.acknowledged()).as("acknowledged writes").hasSizeGreaterThan(10);
        assertThat(r.lost()).as("acknowledged writes missing on the new leader").isEmpty();
        assertThat(r.duplicated()).as("writes stored twice").isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(r.newPrimary()).as("the leader Patroni elected").isNotEqualTo(r.oldPrimary());
        // Writes resumed through the same, never restarted service, on the new leader, soon.
        long elected = r.timeline().stream().filter(e -> e.text().startsWith("new leader ")).findFirst()
                .orElseThrow(() -> new AssertionError("no election in " + r.timeline())).epochMs();
        assertThat(r.firstAckAfterKillMs()).as("a write acknowledged after the kill").isPositive();
        assertThat(r.firstAckAfterKillMs() - elected).as("election → first acknowledged write (ms)")
                .isLessThan(RESUME_BOUND_MS);
        assertThat(r.startMs() + options.duration().toMillis() - elected).as("the load ran on past the bound")
                .isGreaterThan(RESUME_BOUND_MS);
        // The surviving replica follows the new leader, and the old leader came back as a replica.
        assertThat(run.rejoin().done()).as(run.rejoin().error()).isTrue();
        assertThat(run.rejoin().streamingStandbys()).isEqualTo(2);
        assertThat(r.timeline()).extracting(ClusterControl.Event::text)
                .anyMatch(t -> t.startsWith("new leader ") && t.contains("elected by Patroni"));
        assertThat(run.rejoin().events()).extracting(ClusterControl.Event::text)
                .anyMatch(t -> t.startsWith(r.oldPrimary() + " ") && t.contains("streams from " + r.newPrimary()));
        assertThat(Files.readString(report)).contains("PASSED (exit 0)");
    }
}
