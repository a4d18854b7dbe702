package ru.otus.socialnet.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.drill.ClusterControl;
import ru.otus.socialnet.drill.DrillOptions;
import ru.otus.socialnet.drill.DrillReport;
import ru.otus.socialnet.drill.DrillResult;
import ru.otus.socialnet.drill.FailoverDrill;
import ru.otus.socialnet.testsupport.PatroniCluster;
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

    /** Slow statements are logged on every node, never with bind parameters (patroni.yml, bootstrap.dcs). */
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
            }
        }
    }

    @Test
    void patroniReplacesTheKilledLeaderAndNoAcknowledgedWriteIsLost() throws Exception {
        // Failover takes about ttl (10 s) + a loop; 30 s of load leave room for a slow, shared
        // machine and for writes after the failover.
        Path report = Path.of("target/drill/patroni-quorum-report.md");
        DrillOptions options = new DrillOptions("quorum", 4, Duration.ofSeconds(30), Duration.ofSeconds(4), true,
                URI.create("http://127.0.0.1:" + port), report);
        DrillResult r = new FailoverDrill(patroni.control(), new FailoverDrill.DbAccess(TestCluster.DATABASE,
                TestCluster.APP_USER, TestCluster.APP_PASSWORD)).run(options);
        String md = DrillReport.markdown(r);
        Files.createDirectories(report.getParent());
        Files.writeString(report, md);
        System.out.println(md);

        assertThat(r.acknowledged()).as("acknowledged writes").hasSizeGreaterThan(10);
        assertThat(r.lost()).as("acknowledged writes missing on the new leader").isEmpty();
        assertThat(r.newPrimary()).as("the leader Patroni elected").isNotEqualTo(r.oldPrimary());
        // Writes resumed through the same, never restarted service, on the new leader.
        assertThat(r.firstAckAfterKillMs()).as("a write acknowledged after the kill").isPositive();
        assertThat(r.writeOutageMs()).isLessThan(60_000);
        // The surviving replica follows the new leader, and the old leader came back as a replica.
        assertThat(r.streamingStandbys()).isEqualTo(2);
        assertThat(r.timeline()).extracting(ClusterControl.Event::text)
                .anyMatch(t -> t.startsWith("new leader ") && t.contains("elected by Patroni"))
                .anyMatch(t -> t.startsWith(r.oldPrimary() + " ") && t.contains("streams from " + r.newPrimary()));
    }
}
