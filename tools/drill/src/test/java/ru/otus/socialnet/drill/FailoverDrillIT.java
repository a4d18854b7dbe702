package ru.otus.socialnet.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.cluster.DbAccess;
import ru.otus.socialnet.drill.FailoverDrill.DrillRun;
import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.TestCluster;

/**
 * The failover drill on a cluster of its own (it changes the topology): the service under test is
 * configured like bin/drill's, every node a candidate primary, and is never restarted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverDrillIT {

    /** Writes must be acknowledged again this soon after the promotion (the load runs on well past it). */
    static final long RESUME_BOUND_MS = 10_000;

    static final TestCluster drillCluster = TestCluster.startNew("drill-cluster", 10);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("pg.authority.master", drillCluster::allAuthorities);
        registry.add("pg.authority.replica", drillCluster::replicaAuthorities);
        registry.add("pg.database", () -> TestCluster.DATABASE);
        registry.add("pg.user", () -> TestCluster.APP_USER);
        registry.add("pg.password", () -> TestCluster.APP_PASSWORD);
    }

    @AfterAll
    static void wipe() {
        drillCluster.wipe();
    }

    private static final String BIN_CLUSTER = Path.of("bin/cluster").toAbsolutePath().toString();

    private final ClusterControl control = new ClusterControl(List.of(BIN_CLUSTER), drillCluster.cliEnvironment());

    /** bin/cluster, except that SUBCOMMAND fails, as a broken cluster step would. */
    private static ClusterControl failing(String subcommand) {
        return new ClusterControl(List.of("bash", "-c",
                "if [ \"$1\" = " + subcommand + " ]; then echo \"$1: broken on purpose\" >&2; exit 3; fi; exec \"$0\" \"$@\"",
                BIN_CLUSTER), drillCluster.cliEnvironment());
    }

    private DrillRun drill(ClusterControl cluster, String mode, Path report) throws Exception {
        // 30 s of load, the kill at 6 s: it runs on well past the promotion plus RESUME_BOUND_MS.
        DrillOptions options = new DrillOptions(mode, 6, Duration.ofSeconds(30), Duration.ofSeconds(6), true,
                URI.create("http://127.0.0.1:" + port), report);
        Files.deleteIfExists(report);
        DrillRun run = new FailoverDrill(cluster, new DbAccess(TestCluster.DATABASE,
                TestCluster.APP_USER, TestCluster.APP_PASSWORD)).runAndReport(options);
        System.out.println(run.report());
        return run;
    }

    @Test
    @Order(1)
    void quorumModeLosesNoAcknowledgedWriteAndTheClusterHealsBehindTheNewPrimary() throws Exception {
        DrillRun run = drill(control, "quorum", Path.of("target/drill/quorum-report.md"));
        DrillResult r = run.result();

        assertThat(r.acknowledged()).as("acknowledged writes").hasSizeGreaterThan(10);
        assertThat(r.lost()).as("acknowledged writes missing on the new primary").isEmpty();
        assertThat(r.duplicated()).as("writes stored twice").isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(r.newPrimary()).isNotEqualTo(r.oldPrimary());
        assertCountsMatchTheNewPrimary(r);
        assertWritesResumedSoonAfterThePromotion(r);
        // The other replica was repointed, and the old primary rejoined after the count: both stream.
        assertThat(r.streamingStandbys()).as("when counted").isEqualTo(1);
        assertThat(run.rejoin().done()).as(run.rejoin().error()).isTrue();
        assertThat(run.rejoin().streamingStandbys()).isEqualTo(2);
        assertThat(r.timeline()).extracting(ClusterControl.Event::text)
                .anyMatch(t -> t.startsWith("promoted "))
                .anyMatch(t -> t.startsWith("repointed "))
                .anyMatch(t -> t.contains("streams from") && t.contains("timeline"));
        assertThat(Files.readString(r.options().report())).contains("PASSED (exit 0)", "## Rejoin (after the count)");
    }

    /** The report and its verdict exist before the rejoin, so a rejoin that fails cannot take them along. */
    @Test
    @Order(2)
    void asyncModeMeasuresItsLossAndTheVerdictSurvivesAFailedRejoin() throws Exception {
        Path report = Path.of("target/drill/async-report.md");
        DrillRun run = drill(failing("rejoin"), "async", report);
        DrillResult r = run.result();

        assertThat(r.acknowledged()).hasSizeGreaterThan(10);
        assertThat(r.duplicated()).as("no mode may store a write twice").isEmpty();
        assertCountsMatchTheNewPrimary(r);
        assertWritesResumedSoonAfterThePromotion(r);
        assertThat(run.rejoin().done()).isFalse();
        assertThat(run.exitCode()).as("1 when a write was lost, else 2: the rejoin did not complete")
                .isEqualTo(r.lost().isEmpty() ? 2 : 1);
        String md = Files.readString(report);
        assertThat(md).contains("# Failover drill: async mode", "## Timeline", "kill -9",
                "acknowledged but missing on the new primary (lost)** | **" + r.lost().size() + "**",
                "first acknowledged write after the kill", "DID NOT COMPLETE", "broken on purpose",
                r.lost().isEmpty() ? "PASSED (exit 0)" : "FAILED (exit 1)");

        control.events("rejoin", r.oldPrimary());
    }

    @Test
    @Order(3)
    void aDrillThatCannotFailOverSaysSoAndExitsTwo() throws Exception {
        Path report = Path.of("target/drill/incomplete-report.md");
        DrillRun run = drill(failing("failover"), "async", report);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.result()).isNull();
        assertThat(Files.readString(report)).contains("INCOMPLETE (exit 2)", "could not fail over", "broken on purpose",
                "kill -9");
        // Heal: the failover the drill could not run, then the rejoin.
        String killed = run.incomplete().timeline().stream().map(ClusterControl.Event::text)
                .filter(t -> t.startsWith("kill -9 ")).findFirst().orElseThrow().split(" ")[2];
        control.events("failover");
        control.events("rejoin", killed);
    }

    @Test
    @Order(4)
    void theServiceWritesToThePromotedPrimaryWithoutARestart() throws Exception {
        Api api = new Api(port);
        assertThat(api.register("Доповорота", "Запись").status()).isEqualTo(200);
        control.run("sync", "async");
        ClusterControl.Node old = control.primary();
        control.run("kill", old.name());
        control.events("failover");
        ClusterControl.Node promoted = control.primary();
        assertThat(promoted.name()).isNotEqualTo(old.name());

        Api.Response r = null;
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            r = api.register("Послеповорота", "Запись");
            if (r.status() == 200) {
                break;
            }
            assertThat(r.status()).as("while the primary is being replaced writes answer 503").isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotBlank();
            Thread.sleep(200);
        }
        assertThat(r.status()).isEqualTo(200);
        String id = r.text("user_id");
        try (var c = DriverManager.getConnection("jdbc:postgresql://" + promoted.authority() + "/"
                + TestCluster.DATABASE, TestCluster.APP_USER, TestCluster.APP_PASSWORD);
             var st = c.prepareStatement("SELECT count(*) FROM users WHERE id = ? AND NOT pg_is_in_recovery()")) {
            st.setLong(1, Long.parseLong(id));
            var rs = st.executeQuery();
            rs.next();
            assertThat(rs.getLong(1)).as("the new user is on the promoted primary").isEqualTo(1);
        }
        control.events("rejoin", old.name());
    }

    /** The drill's lost and duplicated sets, recounted here from the new primary's rows. */
    static void assertCountsMatchTheNewPrimary(DrillResult r) throws Exception {
        String authority = drillCluster.control().nodes().stream()
                .filter(n -> n.name().equals(r.newPrimary())).findFirst().orElseThrow().authority();
        Map<String, Long> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + authority + "/" + TestCluster.DATABASE,
                TestCluster.APP_USER, TestCluster.APP_PASSWORD);
             PreparedStatement st = c.prepareStatement("SELECT second_name FROM users WHERE second_name LIKE ?")) {
            st.setString(1, r.runId() + "-%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.merge(rs.getString(1), 1L, Long::sum);
                }
            }
        }
        Set<String> lost = new TreeSet<>(r.acknowledged());
        lost.removeAll(rows.keySet());
        assertThat(r.lost()).as("lost, recounted").isEqualTo(lost);
        assertThat(r.duplicated().keySet()).as("duplicated, recounted")
                .isEqualTo(rows.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                        .collect(Collectors.toSet()));
        assertThat(r.failed()).isEqualTo(!lost.isEmpty() || rows.values().stream().anyMatch(n -> n > 1));
    }

    /** Writes came back within RESUME_BOUND_MS of the promotion, and kept coming. */
    static void assertWritesResumedSoonAfterThePromotion(DrillResult r) {
        long promoted = r.timeline().stream().filter(e -> e.text().startsWith("promoted ")).findFirst()
                .orElseThrow(() -> new AssertionError("no promotion in " + r.timeline())).epochMs();
        assertThat(r.firstAckAfterKillMs()).as("a write acknowledged after the kill").isPositive();
        assertThat(r.firstAckAfterKillMs() - promoted).as("promotion → first acknowledged write (ms)")
                .isLessThan(RESUME_BOUND_MS);
        long loadEnd = r.startMs() + r.options().duration().toMillis();
        assertThat(loadEnd - promoted).as("the load ran on past the bound, so the bound could fail")
                .isGreaterThan(RESUME_BOUND_MS);
    }
}
