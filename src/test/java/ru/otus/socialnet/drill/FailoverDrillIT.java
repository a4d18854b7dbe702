package ru.otus.socialnet.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.TestCluster;

/**
 * The failover drill on a cluster of its own (it changes the topology): the service under test is
 * configured like bin/drill's, every node a candidate primary, and is never restarted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverDrillIT {

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

    private final ClusterControl control = new ClusterControl(
            List.of(Path.of("bin/cluster").toAbsolutePath().toString()), drillCluster.cliEnvironment());

    private DrillResult drill(String mode, Path report) throws Exception {
        DrillOptions options = new DrillOptions(mode, 6, Duration.ofSeconds(16), Duration.ofSeconds(6), true,
                URI.create("http://127.0.0.1:" + port), report);
        DrillResult result = new FailoverDrill(control, new FailoverDrill.DbAccess(TestCluster.DATABASE,
                TestCluster.APP_USER, TestCluster.APP_PASSWORD)).run(options);
        Files.createDirectories(report.getParent());
        Files.writeString(report, DrillReport.markdown(result));
        System.out.println(DrillReport.markdown(result));
        return result;
    }

    @Test
    @Order(1)
    void quorumModeLosesNoAcknowledgedWriteAndTheClusterHealsBehindTheNewPrimary() throws Exception {
        DrillResult r = drill("quorum", Path.of("target/drill/quorum-report.md"));

        assertThat(r.acknowledged()).as("acknowledged writes").hasSizeGreaterThan(10);
        assertThat(r.lost()).as("acknowledged writes missing on the new primary").isEmpty();
        assertThat(r.failed()).isFalse();
        assertThat(r.newPrimary()).isNotEqualTo(r.oldPrimary());
        // Writes resumed through the same, never restarted service, on the promoted node.
        assertThat(r.firstAckAfterKillMs()).isPositive();
        assertThat(r.writeOutageMs()).isLessThan(30_000);
        // The other replica was repointed and the old primary rejoined: both stream.
        assertThat(r.streamingStandbys()).isEqualTo(2);
        assertThat(r.timeline()).extracting(ClusterControl.Event::text)
                .anyMatch(t -> t.startsWith("promoted "))
                .anyMatch(t -> t.startsWith("repointed "))
                .anyMatch(t -> t.contains("streams from") && t.contains("timeline"));
    }

    @Test
    @Order(2)
    void asyncModeProducesTheReportWithItsCounts() throws Exception {
        Path report = Path.of("target/drill/async-report.md");
        DrillResult r = drill("async", report);

        assertThat(r.acknowledged()).hasSizeGreaterThan(10);
        assertThat(r.failed()).as("async mode never fails the drill; its loss is measured").isFalse();
        String md = Files.readString(report);
        assertThat(md).contains("# Failover drill: async mode", "## Timeline", "kill -9",
                "acknowledged but missing on the new primary (lost)** | **" + r.lost().size() + "**",
                "first acknowledged write after the kill");
        assertThat(r.streamingStandbys()).isEqualTo(2);
    }

    @Test
    @Order(3)
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
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + promoted.authority() + "/"
                + TestCluster.DATABASE, TestCluster.APP_USER, TestCluster.APP_PASSWORD);
             var st = c.prepareStatement("SELECT count(*) FROM users WHERE id = ? AND NOT pg_is_in_recovery()")) {
            st.setLong(1, Long.parseLong(id));
            var rs = st.executeQuery();
            rs.next();
            assertThat(rs.getLong(1)).as("the new user is on the promoted primary").isEqualTo(1);
        }
        control.events("rejoin", old.name());
    }
}
