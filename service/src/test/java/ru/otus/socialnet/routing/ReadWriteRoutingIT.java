package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Where the statements really run, by each server's own pg_stat_statements: reads on the replicas
 * and never on the primary, writes on the primary only.
 */
class ReadWriteRoutingIT extends ReplicatedServiceTest {

    static final String SEARCH_SQL = "WHERE lower(first_name) ~>=~ (SELECT lower(";
    static final String GET_SQL = "biography, city FROM users WHERE id =";
    static final String INSERT_SQL = "INSERT INTO users";
    static final String TOKEN_SQL = "INSERT INTO auth_tokens";

    @AfterEach
    void allNodesBack() {
        for (Node node : Node.values()) {
            cluster.start(node);
        }
        // A replica that was down is banned until a re-probe finds it streaming again.
        new RoutingHealth(api, cluster).awaitBothInRotation();
    }

    private Map<Node, Long> calls(String fragment) {
        return Map.of(Node.PRIMARY, cluster.statementCalls(Node.PRIMARY, fragment),
                Node.REPLICA1, cluster.statementCalls(Node.REPLICA1, fragment),
                Node.REPLICA2, cluster.statementCalls(Node.REPLICA2, fragment));
    }

    private static long delta(Map<Node, Long> before, Map<Node, Long> after, Node node) {
        return after.get(node) - before.get(node);
    }

    @Test
    void searchesRunOnTheReplicasAndNeverOnThePrimary() {
        Map<Node, Long> before = calls(SEARCH_SQL);
        for (int i = 0; i < 20; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Ив", "last_name", "Пет")).status()).isEqualTo(200);
        }
        Map<Node, Long> after = calls(SEARCH_SQL);
        assertThat(delta(before, after, Node.PRIMARY)).isZero();
        assertThat(delta(before, after, Node.REPLICA1) + delta(before, after, Node.REPLICA2)).isEqualTo(20);
    }

    @Test
    void bothReplicasShareTheReads() {
        Map<Node, Long> before = calls(SEARCH_SQL);
        for (int i = 0; i < 20; i++) {
            api.get("/user/search", Map.of("first_name", "Ан", "last_name", "Ко"));
        }
        Map<Node, Long> after = calls(SEARCH_SQL);
        assertThat(delta(before, after, Node.REPLICA1)).isBetween(5L, 15L);
        assertThat(delta(before, after, Node.REPLICA2)).isBetween(5L, 15L);
    }

    @Test
    void getRunsOnAReplica() {
        String id = api.register(unique("Гет"), "Петров").text("user_id");
        cluster.awaitReplicasCaughtUp();
        Map<Node, Long> before = calls(GET_SQL);
        assertThat(api.get("/user/get/" + id).status()).isEqualTo(200);
        Map<Node, Long> after = calls(GET_SQL);
        assertThat(delta(before, after, Node.PRIMARY)).isZero();
        assertThat(delta(before, after, Node.REPLICA1) + delta(before, after, Node.REPLICA2)).isEqualTo(1);
    }

    @Test
    void registrationWritesOnThePrimaryOnly() {
        Map<Node, Long> before = calls(INSERT_SQL);
        assertThat(api.register(unique("Рег"), "Сидоров").status()).isEqualTo(200);
        Map<Node, Long> after = calls(INSERT_SQL);
        assertThat(delta(before, after, Node.PRIMARY)).isEqualTo(1);
        assertThat(delta(before, after, Node.REPLICA1)).isZero();
        assertThat(delta(before, after, Node.REPLICA2)).isZero();
    }

    @Test
    void loginStoresItsTokenOnThePrimary() {
        String id = api.register(unique("Лог"), "Иванов").text("user_id");
        Map<Node, Long> before = calls(TOKEN_SQL);
        Api.Response login = api.postJson("/login", Map.of("id", id, "password", "correct horse battery"));
        assertThat(login.status()).isEqualTo(200);
        Map<Node, Long> after = calls(TOKEN_SQL);
        assertThat(delta(before, after, Node.PRIMARY)).isEqualTo(1);
        assertThat(delta(before, after, Node.REPLICA1) + delta(before, after, Node.REPLICA2)).isZero();
    }

    @Test
    void aRegisteredUserIsReadableFromTheReplicasOnceReplicated() {
        String first = unique("Реп");
        String id = api.register(first, "Смирнов").text("user_id");
        cluster.awaitReplicasCaughtUp();
        // Whichever replica serves each read, the user is there.
        for (int i = 0; i < 4; i++) {
            Api.Response got = api.get("/user/get/" + id);
            assertThat(got.status()).isEqualTo(200);
            assertThat(got.text("first_name")).isEqualTo(first);
        }
        assertThat(cluster.queryLong(Node.REPLICA1, "SELECT count(*) FROM users WHERE id = " + Long.parseLong(id))).isEqualTo(1);
        assertThat(cluster.queryLong(Node.REPLICA2, "SELECT count(*) FROM users WHERE id = " + Long.parseLong(id))).isEqualTo(1);
    }

    @Test
    void oneReplicaDownTheOtherServesEveryRead() {
        cluster.stop(Node.REPLICA1);
        long before = cluster.statementCalls(Node.REPLICA2, SEARCH_SQL);
        for (int i = 0; i < 10; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Се", "last_name", "Ку")).status()).isEqualTo(200);
        }
        assertThat(cluster.statementCalls(Node.REPLICA2, SEARCH_SQL) - before).isEqualTo(10);
    }

    @Test
    void bothReplicasDownThePrimaryServesTheReads() {
        cluster.stop(Node.REPLICA1);
        cluster.stop(Node.REPLICA2);
        long before = cluster.statementCalls(Node.PRIMARY, SEARCH_SQL);
        for (int i = 0; i < 5; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Ol", "last_name", "Ne")).status()).isEqualTo(200);
        }
        assertThat(cluster.statementCalls(Node.PRIMARY, SEARCH_SQL) - before).isEqualTo(5);
    }
}
