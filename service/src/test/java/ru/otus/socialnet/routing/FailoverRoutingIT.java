package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster.Node;
import ru.otus.socialnet.testsupport.TestCluster;

/**
 * Roles discovered, not configured, and a stale primary never written to — on a cluster of its own
 * (failovers change its topology), with the service configured the way {@code bin/cluster env}
 * configures it and never restarted or reconfigured.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverRoutingIT {

    static final TestCluster failoverCluster = TestCluster.startNew("failover-routing", 40);

    private static final String SEARCH_SQL = ReadWriteRoutingIT.SEARCH_SQL;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ClusterTest.followingEveryNode(failoverCluster, registry);
    }

    @AfterAll
    static void wipe() {
        failoverCluster.wipe();
    }

    private final ClusterControl control = failoverCluster.control();

    @Test
    @Order(1)
    void afterAFailoverAndARejoinBothStandbysServeReadsWithNoRestart() {
        Api api = new Api(port);
        assertThat(api.register("Доотказа", "Чтение").status()).isEqualTo(200);
        control.run("kill", "primary");
        control.run("failover");
        String promoted = control.primary().name();
        awaitWrite(api);
        control.run("rejoin", "primary");

        // The promoted node is the primary, the rejoined former primary and the other standby read.
        Node newPrimary = node(promoted);
        List<Node> standbys = new ArrayList<>(List.of(Node.values()));
        standbys.remove(newPrimary);
        awaitState(api, newPrimary, "PRIMARY");
        standbys.forEach(s -> awaitState(api, s, "IN_ROTATION"));
        JsonNode primaryView = nodeHealth(api, newPrimary);
        assertThat(primaryView.path("role").asString()).isEqualTo("primary");
        assertThat(primaryView.path("timeline").asInt()).isEqualTo(2);

        failoverCluster.awaitReplicasCaughtUp(newPrimary);
        Map<Node, Long> before = calls();
        for (int i = 0; i < 30; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "До", "last_name", "Чт")).status()).isEqualTo(200);
        }
        Map<Node, Long> after = calls();
        assertThat(after.get(newPrimary) - before.get(newPrimary)).as("reads on the primary").isZero();
        for (Node s : standbys) {
            assertThat(after.get(s) - before.get(s)).as("reads on standby %s", s).isBetween(8L, 22L);
        }
    }

    @Test
    @Order(2)
    void aFormerPrimaryStartedAgainByMistakeIsFencedAndNeverWrittenTo() {
        Api api = new Api(port);
        Node oldPrimary = node(control.primary().name());
        control.run("kill", oldPrimary.cliName);
        control.run("failover");
        Node promoted = node(control.primary().name());
        awaitWrite(api);

        // The operator's mistake: the killed primary started again as it was, with pg_ctl.
        failoverCluster.startBypassingTheGuard(oldPrimary);
        assertThat(failoverCluster.queryLong(oldPrimary, "SELECT CASE WHEN pg_is_in_recovery() THEN 0 ELSE 1 END"))
                .as("two primaries now").isEqualTo(1);
        awaitState(api, oldPrimary, "FENCED");

        String marker = "Стейл" + System.nanoTime();
        for (int i = 0; i < 40; i++) {
            assertThat(api.register(marker, "Запись" + i).status()).isEqualTo(200);
        }
        assertThat(count(oldPrimary, marker)).as("rows written to the stale primary").isZero();
        assertThat(count(promoted, marker)).as("rows on the promoted primary").isEqualTo(40);

        JsonNode writes = api.get("/actuator/health").json().path("components").path("writes");
        assertThat(writes.path("status").asString()).isEqualTo("UP");
        assertThat(writes.path("details").path("primary").asString()).isEqualTo(failoverCluster.authority(promoted));
        assertThat(writes.path("details").path("fenced").toString()).contains(failoverCluster.authority(oldPrimary), "older");
        assertThat(api.get("/actuator/prometheus").raw().body())
                .containsPattern("socialnet_routing_node_fenced\\{node=\"" + failoverCluster.authority(oldPrimary) + "\"[^}]*} 1");

        // With the real primary gone too, only the stale one is left: writes are refused, not sent there.
        control.run("kill", promoted.cliName);
        awaitState(api, promoted, "BANNED");
        Api.Response refused = api.register(marker, "Последняя");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(count(oldPrimary, marker)).isZero();
        JsonNode down = api.get("/actuator/health").json().path("components").path("writes");
        assertThat(down.path("status").asString()).isEqualTo("DOWN");
        assertThat(down.path("details").path("reason").asString()).contains("fenced");
        assertThat(api.get("/actuator/prometheus").raw().body())
                .containsPattern("socialnet_routing_writes_fenced_total(\\{[^}]*})? [1-9]");
    }

    private void awaitWrite(Api api) {
        long deadline = System.currentTimeMillis() + 30_000;
        int status = 0;
        while (System.currentTimeMillis() < deadline && status != 200) {
            status = api.register("Послеотказа", "Запись").status();
            if (status != 200) {
                assertThat(status).isEqualTo(503);
                TestCluster.sleep(100);
            }
        }
        assertThat(status).as("a write through the same service after the failover").isEqualTo(200);
    }

    private static JsonNode nodeHealth(Api api, Node node) {
        return api.get("/actuator/health").json().path("components").path("replication").path("details")
                .path("nodes").path(failoverCluster.authority(node));
    }

    private static void awaitState(Api api, Node node, String state) {
        long deadline = System.currentTimeMillis() + 30_000;
        String seen = null;
        while (System.currentTimeMillis() < deadline) {
            seen = nodeHealth(api, node).path("state").asString();
            if (state.equals(seen)) {
                return;
            }
            TestCluster.sleep(100);
        }
        throw new AssertionError(node + " is " + seen + ", not " + state + ":\n"
                + api.get("/actuator/health").json().path("components").path("replication"));
    }

    private static Node node(String name) {
        for (Node n : Node.values()) {
            if (n.cliName.equals(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static Map<Node, Long> calls() {
        Map<Node, Long> calls = new java.util.EnumMap<>(Node.class);
        for (Node n : Node.values()) {
            calls.put(n, failoverCluster.statementCalls(n, SEARCH_SQL));
        }
        return calls;
    }

    private static long count(Node node, String marker) {
        return failoverCluster.queryLong(node, "SELECT count(*) FROM users WHERE first_name = '" + marker + "'");
    }
}
