package ru.otus.socialnet.containers.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.containers.ComposeStack;
import ru.otus.socialnet.testsupport.Api;

/**
 * docker-compose.yaml as a user runs it — {@code docker compose up}: the three PostgreSQL containers
 * and the app, every image built from the project's Dockerfiles — answering on the host's port, with
 * reads on the standbys and writes on the primary by the servers' own word (each node's
 * pg_stat_statements, as the local-cluster tests count them), and the consistency token reading its own
 * write while the standbys lag; and, last, the whole stack stopped (or killed, as by a power loss)
 * and brought up again, its data and roles kept.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackIT {

    /** The app's port on the host: inside the suite's range (TEST_CLUSTER_PORT + 9; no cluster of this module uses it). */
    static final int APP_PORT = Integer.parseInt(System.getenv().getOrDefault("TEST_CLUSTER_PORT", "25432")) + 9;

    static ComposeStack stack;
    static ClusterControl cluster;
    static Api api;

    @BeforeAll
    static void up() {
        stack = ComposeStack.start("docker-compose.yaml", appEnvironment(APP_PORT), "primary", "replica1", "replica2", "app");
        cluster = stack.composeCluster();
        api = new Api(APP_PORT);
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.close();
        }
    }

    /** The stack's variables: the app on PORT, its jar the one the reactor built on the host (no Maven Central in containers here). */
    static Map<String, String> appEnvironment(int port) {
        return Map.of("APP_PORT", Integer.toString(port), "APP_JAR", "host");
    }

    @Test
    @Order(1)
    void theApiAnswersOnTheHostPort() {
        Api.Response registered = api.register("Компоуз", "Стек");
        assertThat(registered.status()).isEqualTo(200);
        String id = registered.text("user_id");
        Api.Response login = api.postJson("/login", Map.of("id", id, "password", "correct horse battery"));
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.text("token")).isNotBlank();
        assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void readsRunOnTheStandbysAndWritesOnThePrimaryByTheServersOwnCounters() throws Exception {
        // Ready is one node that can serve; the turns below need both standbys in the rotation.
        assertThat(awaitStandbysInRotation(Duration.ofMinutes(1))).as("standbys in the app's read rotation").isEqualTo(2);
        Map<String, Long> searchesBefore = NodeStatements.calls(cluster, NodeStatements.SEARCH_SQL);
        Map<String, Long> insertsBefore = NodeStatements.calls(cluster, NodeStatements.INSERT_SQL);
        for (int i = 0; i < 20; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Ко", "last_name", "Ст")).status()).isEqualTo(200);
        }
        assertThat(api.register("Запись" + UUID.randomUUID().toString().substring(0, 6), "Первичная").status()).isEqualTo(200);
        Map<String, Long> searches = NodeStatements.delta(searchesBefore, NodeStatements.calls(cluster, NodeStatements.SEARCH_SQL));
        Map<String, Long> inserts = NodeStatements.delta(insertsBefore, NodeStatements.calls(cluster, NodeStatements.INSERT_SQL));

        assertThat(searches).as("searches per node").containsEntry("primary", 0L);
        assertThat(searches.get("replica1") + searches.get("replica2")).isEqualTo(20);
        assertThat(searches.get("replica1")).as("both standbys take turns").isBetween(5L, 15L);
        assertThat(inserts).as("inserts per node").containsEntry("primary", 1L).containsEntry("replica1", 0L)
                .containsEntry("replica2", 0L);
    }

    @Test
    @Order(3)
    void theConsistencyTokenReadsItsOwnWriteWhileTheStandbysLag() throws Exception {
        for (String replica : new String[] {"replica1", "replica2"}) {
            NodeStatements.execute(cluster, replica, "SELECT pg_wal_replay_pause()");
        }
        try {
            Api.Response registered = api.register("Токен", "Своя");
            assertThat(registered.status()).isEqualTo(200);
            String token = registered.header("X-Consistency-Token");
            assertThat(token).as("the write's token").matches("[0-9A-F]{8}/[0-9A-F]+/[0-9A-F]+");
            String path = "/user/get/" + registered.text("user_id");

            assertThat(api.get(path).status()).as("without the token: a standby that has not replayed it").isEqualTo(404);
            Api.Response withToken = api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + APP_PORT + path))
                    .header("X-Consistency-Token", token).GET());
            assertThat(withToken.status()).as("with the token").isEqualTo(200);
            assertThat(withToken.text("first_name")).isEqualTo("Токен");
        } finally {
            for (String replica : new String[] {"replica1", "replica2"}) {
                NodeStatements.execute(cluster, replica, "SELECT pg_wal_replay_resume()");
            }
        }
    }

    @Test
    @Order(4)
    void theWholeStackStoppedOrKilledAndUpAgainKeepsItsDataAndRolesAndServesWithBothStandbys() throws Exception {
        // 'stop': every container with its stop signal (the PostgreSQL ones: a fast shutdown), as a
        // user's docker compose stop or a reboot does. 'kill': SIGKILL to all at once, as a power loss
        // does: every server leaves its lock files behind. Either way the stack comes up again with
        // each node as its data says it is.
        for (String how : new String[] {"stop", "kill"}) {
            Api.Response registered = api.register("Перезапуск", how);
            assertThat(registered.status()).isEqualTo(200);
            String path = "/user/get/" + registered.text("user_id");

            stack.compose(how);
            long down = System.nanoTime();
            stack.compose("up", "-d");
            int standbys = awaitStandbysInRotation(Duration.ofMinutes(3));
            System.out.printf("compose %s, then up -d: both standbys in the app's read rotation after %.1f s%n", how,
                    (System.nanoTime() - down) / 1e9);
            assertThat(standbys).as("after %s: standbys in the app's read rotation", how).isEqualTo(2);
            assertThat(cluster.primary().name()).as("after %s: the primary is the primary again", how).isEqualTo("primary");
            assertThat(api.get(path).status()).as("after %s: the user acknowledged before it", how).isEqualTo(200);
            assertThat(api.register("После", how).status()).as("after %s: writes", how).isEqualTo(200);
        }
    }

    @Test
    @Order(5)
    void whenThePrimaryAndAStandbySwapAddressesWritesFollowThePrimaryWithoutA500() throws Exception {
        // Stopped together and started in the other order, two containers swap their addresses on
        // the compose network while the app runs on. It kept probing the old addresses: a standby
        // taken for the primary, writes refused there as read-only, answered 500 for minutes.
        String primaryBefore = stack.address("primary");
        String replicaBefore = stack.address("replica1");
        stack.compose("stop", "primary", "replica1");
        stack.compose("start", "replica1");
        stack.compose("start", "primary");
        assertThat(stack.address("replica1")).as("replica1 took the primary's old address").isEqualTo(primaryBefore);
        assertThat(stack.address("primary")).as("and the primary replica1's").isEqualTo(replicaBefore);

        // Past the JVM's name cache (30 s by default; the image sets 5 s), new connections reach the
        // name's new address while a kept one stays on the old: bursts of 8 concurrent writes make
        // the write pool open connections.
        long swapped = System.nanoTime();
        Thread.sleep(Duration.ofSeconds(36).toMillis());
        Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            for (int burst = 0; burst < 6; burst++) {
                List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
                for (int w = 0; w < 8; w++) {
                    answers.add(writers.submit(() -> api.register("Адрес", "Сменился").status()));
                }
                for (java.util.concurrent.Future<Integer> answer : answers) {
                    statuses.merge(answer.get(), 1, Integer::sum);
                }
                Thread.sleep(1000);
            }
        } finally {
            writers.shutdownNow();
        }
        String primaryState = api.get("/actuator/health").json().at("/components/replication/details/nodes/primary:5432/state")
                .asString("");
        System.out.printf("addresses swapped: %.0f s later, bursts of 8 writes: %s; the app says primary:5432 is %s%n",
                (System.nanoTime() - swapped) / 1e9, statuses, primaryState);
        assertThat(statuses).as("no write answered 500").doesNotContainKey(500);
        assertThat(primaryState).as("the app found the primary at its new address").isEqualTo("PRIMARY");
        for (int i = 0; i < 10; i++) {
            assertThat(api.register("Адрес", "Снова").status()).as("writes go on, to the primary").isEqualTo(200);
        }
    }

    /** Standbys in the app's read rotation by its health; 0 while the app does not answer yet. */
    /** The standbys in the app's read rotation, once both are or after TIMEOUT. */
    private static int awaitStandbysInRotation(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int standbys = standbysInRotation();
        while (System.nanoTime() < deadline && standbys < 2) {
            Thread.sleep(500);
            standbys = standbysInRotation();
        }
        return standbys;
    }

    private static int standbysInRotation() {
        try {
            Api.Response health = api.get("/actuator/health");
            return health.json() == null ? 0 : (int) health.json().at("/components/replication/details/nodes")
                    .valueStream().filter(n -> n.at("/state").asString("").equals("IN_ROTATION")).count();
        } catch (IllegalStateException notUpYet) {
            // The port is docker-proxy's from the start: it resets the connection until the app listens.
            return 0;
        }
    }
}
