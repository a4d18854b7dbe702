package ru.otus.socialnet.containers.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.cluster.DbAccess;
import ru.otus.socialnet.containers.ComposeStack;
import ru.otus.socialnet.drill.DrillOptions;
import ru.otus.socialnet.drill.DrillResult;
import ru.otus.socialnet.drill.FailoverDrill;
import ru.otus.socialnet.drill.FailoverDrill.DrillRun;
import ru.otus.socialnet.testsupport.Api;

/**
 * A failover of the compose stack, containers and all: the failover drill (the same
 * {@link FailoverDrill} as bin/drill, with bin/compose-cluster as its cluster command) runs write load
 * through the app container, {@code kill -9}s the primary's container, fails over with
 * {@code bin/compose-cluster failover}, counts, and rejoins the old primary; then the case the
 * entrypoint's guard exists for — after a second failover, the old primary's container started
 * again — and its rejoin, after which the app reads from it; last, a replica's disk replaced while
 * 'primary' is not the primary.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeFailoverIT {

    static final int APP_PORT = ComposeStackIT.APP_PORT;
    static final Path REPORT = Path.of("target/drill/compose-quorum-report.md");

    static ComposeStack stack;
    static ClusterControl cluster;
    static Api api;
    static DrillResult drill;

    @BeforeAll
    static void up() {
        stack = ComposeStack.start("docker-compose.yaml", ComposeStackIT.appEnvironment(APP_PORT), "primary", "replica1",
                "replica2", "app");
        cluster = stack.composeCluster();
        api = new Api(APP_PORT);
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void theDrillKillsThePrimaryContainerUnderLoadLosesNoAcknowledgedWriteInQuorumModeAndRejoinsIt() throws Exception {
        // With the drill's rejoin of the killed container's node (pg_rewind in a one-off container).
        DrillOptions options = new DrillOptions("quorum", 4, Duration.ofSeconds(40), Duration.ofSeconds(6), true,
                URI.create("http://127.0.0.1:" + APP_PORT), REPORT);
        DrillRun run = new FailoverDrill(cluster, new DbAccess("socialnet", "socialnet", "socialnet")).runAndReport(options);
        System.out.println(run.report());
        drill = run.result();

        assertThat(drill).as("the drill completed (report: %s)", REPORT).isNotNull();
        assertThat(drill.acknowledged()).as("acknowledged writes").hasSizeGreaterThan(10);
        assertThat(drill.lost()).as("acknowledged writes missing on the new primary").isEmpty();
        assertThat(drill.duplicated()).as("writes stored twice").isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(drill.oldPrimary()).isEqualTo("primary");
        assertThat(drill.newPrimary()).isIn("replica1", "replica2");
        assertThat(drill.firstAckAfterKillMs()).as("writes resumed through the same app container").isPositive();
        assertThat(drill.timeline()).extracting(ClusterControl.Event::text)
                .anyMatch(t -> t.startsWith("primary is down: killed (docker kill -s KILL)"))
                .anyMatch(t -> t.startsWith("promoted " + drill.newPrimary()));
        assertThat(Files.readString(REPORT)).contains("PASSED (exit 0)");
        // Its server died with kill -9 as the container's pid 1 and left its lock files (the data
        // directory's and the socket's): the rejoin must not take them for a live server (it did:
        // "lock file postmaster.pid already exists", then ".s.PGSQL.5432.lock already exists (PID 1)").
        assertThat(run.rejoin().done()).as(run.rejoin().error()).isTrue();
        assertThat(run.rejoin().streamingStandbys()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void anOldPrimaryStartedAgainRefusesToBeASecondPrimaryAndItsRejoinMakesItAStandbyThatServesReads() throws Exception {
        assertThat(drill).as("the drill ran first").isNotNull();
        // A second failover: the drill's new primary is killed in turn, and its container started again.
        String stale = drill.newPrimary();
        cluster.events("kill", stale);
        cluster.events("failover");
        String leader = cluster.primary().name();
        assertThat(leader).isNotEqualTo(stale);
        stack.compose("start", stale);

        String refusal = awaitLog(stale, "refuses to start as a primary", Duration.ofSeconds(120));
        assertThat(refusal).contains("a failover happened after " + stale + " was the primary",
                "docker compose stop " + stale + " && docker compose run --rm --no-deps " + stale + " rejoin " + leader
                        + " && docker compose start " + stale,
                "bin/compose-cluster rejoin " + stale);
        System.out.println("the old primary's refusal: " + refusal.strip());
        assertThat(role(stale)).as("no server answers on the refused node").isEqualTo("down");
        assertThat(role(leader)).isEqualTo("primary");
        assertThat(api.register("Послеотказа", "Запись").status()).as("writes go on, to " + leader).isEqualTo(200);

        List<ClusterControl.Event> rejoin = cluster.events("rejoin", stale);
        assertThat(rejoin).extracting(ClusterControl.Event::text)
                .containsExactly(stale + " rejoined as a standby of " + leader + " (timeline 3)");
        assertThat(role(stale)).isEqualTo("replica");

        // The app (never restarted) takes it into the read rotation, and reads land on it.
        assertThat(awaitRotationState(stale, Duration.ofSeconds(60))).as("the rejoined node in the app's health").isEqualTo("IN_ROTATION");
        Map<String, Long> before = NodeStatements.calls(cluster, NodeStatements.SEARCH_SQL);
        for (int i = 0; i < 30; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "По", "last_name", "Сл")).status()).isEqualTo(200);
        }
        Map<String, Long> searches = NodeStatements.delta(before, NodeStatements.calls(cluster, NodeStatements.SEARCH_SQL));
        assertThat(searches).as("searches per node").containsEntry(leader, 0L);
        assertThat(searches.get(stale)).as("reads on the rejoined former primary").isBetween(5L, 25L);
    }

    /**
     * A replica's disk replaced after failovers, while the service named 'primary' is not the primary
     * (killed here, if the last failover chose it): {@code docker compose up -d} of the replica on an
     * empty volume. It cloned from 'primary', as its settings say, and restart-looped (no server there,
     * or a standby without its slot); it must clone from the primary there is, and be read from.
     */
    @Test
    @Order(3)
    void aReplicaOnAnEmptyVolumeAfterAFailoverClonesFromTheCurrentPrimary() throws Exception {
        if (role("primary").equals("primary")) {
            cluster.events("kill", "primary");
            cluster.events("failover");
        }
        String leader = cluster.primary().name();
        assertThat(leader).isNotEqualTo("primary");
        String replaced = leader.equals("replica1") ? "replica2" : "replica1";

        stack.replaceVolume(replaced);
        stack.compose("up", "-d", replaced);
        // Its old state, IN_ROTATION, may still be the app's last word: wait for the new server first.
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!role(replaced).equals("replica")) {
            assertThat(System.nanoTime()).as("%s runs again as a replica", replaced).isLessThan(deadline);
            Thread.sleep(500);
        }

        assertThat(awaitRotationState(replaced, Duration.ofSeconds(180))).as("the re-cloned replica in the app's health")
                .isEqualTo("IN_ROTATION");
        String clone = awaitLog(replaced, replaced + " clones from " + leader, Duration.ofSeconds(10));
        System.out.println("the replaced replica: " + clone.strip());
        assertThat(role(replaced)).isEqualTo("replica");
        assertThat(api.register("Новыйдиск", "Запись").status()).as("writes go on, to " + leader).isEqualTo(200);
    }

    /** NAME's state in the app's health (IN_ROTATION...), once it is IN_ROTATION or after TIMEOUT. */
    static String awaitRotationState(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline && !state.equals("IN_ROTATION")) {
            Api.Response health = api.get("/actuator/health");
            state = health.json() == null ? ""
                    : health.json().at("/components/replication/details/nodes/" + name + ":5432/state").asString("");
            Thread.sleep(500);
        }
        return state;
    }

    static String role(String name) {
        return cluster.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow().role();
    }

    /** The first line of SERVICE's log containing TEXT, waiting up to TIMEOUT for it. */
    static String awaitLog(String service, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String log = "";
        while (System.nanoTime() < deadline) {
            log = stack.logs(service);
            for (String line : log.lines().toList()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(service + " did not log '" + text + "' in " + timeout + "; its log ends:\n"
                + log.lines().skip(Math.max(0, log.lines().count() - 20)).reduce("", (a, b) -> a + b + "\n"));
    }
}
