package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Replicas that die, fall behind or have not yet replayed a client's write, on the real cluster:
 * no failed request, no read from a replica that is out, no stale read for a client with a token.
 * Where reads ran is the servers' own word (pg_stat_statements); health and Prometheus are read as
 * an operator would.
 */
class ReplicaResilienceIT extends ClusterTest {

    private static final String SEARCH_SQL = ReadWriteRoutingIT.SEARCH_SQL;
    private static final String GET_SQL = ReadWriteRoutingIT.GET_SQL;
    private static final String TOKEN = "X-Consistency-Token";

    private RoutingHealth health;

    @BeforeEach
    void readHealth() {
        health = new RoutingHealth(api, cluster);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        withReplicas(registry);
        // Small and fast bounds so each state shows within seconds. Time lag is set out of the way:
        // with replay paused it grows by the second, and these tests are about bytes and tokens.
        registry.add("pg.routing.monitor-interval", () -> "250ms");
        registry.add("pg.routing.max-lag-bytes", () -> "256KB");
        registry.add("pg.routing.resume-lag-bytes", () -> "64KB");
        registry.add("pg.routing.max-lag", () -> "1h");
        registry.add("pg.routing.resume-lag", () -> "1h");
        registry.add("pg.routing.ban-min", () -> "250ms");
        registry.add("pg.routing.ban-max", () -> "1s");
    }

    @AfterEach
    void restoreCluster() {
        for (Node node : Node.values()) {
            cluster.start(node);
        }
        sql(Node.REPLICA1, "SELECT pg_wal_replay_resume()");
        sql(Node.REPLICA2, "SELECT pg_wal_replay_resume()");
        sql(Node.PRIMARY, "DROP TABLE IF EXISTS lag_ballast");
        cluster.awaitReplicasCaughtUp();
        health.awaitBothInRotation();
    }

    @Test
    void aReplicaKilledUnderLoadCostsNoRequestAndComesBack() throws Exception {
        health.awaitBothInRotation();
        long killedAt;
        long replica2Before;
        long primaryBefore;
        try (SearchLoad load = new SearchLoad(api, 64)) {
            TestCluster.sleep(2_000);
            replica2Before = cluster.statementCalls(Node.REPLICA2, SEARCH_SQL);
            primaryBefore = cluster.statementCalls(Node.PRIMARY, SEARCH_SQL);
            killedAt = load.ok() + load.failed();
            cluster.kill(Node.REPLICA1);
            TestCluster.sleep(4_000);
            long whileDown = load.ok() + load.failed() - killedAt;
            long onReplica2 = cluster.statementCalls(Node.REPLICA2, SEARCH_SQL) - replica2Before;
            long onPrimary = cluster.statementCalls(Node.PRIMARY, SEARCH_SQL) - primaryBefore;
            System.out.printf("replica1 killed: %d requests while it was down; replica2 ran %d searches, primary %d%n",
                    whileDown, onReplica2, onPrimary);
            assertThat(health.stateOf(Node.REPLICA1)).isEqualTo("BANNED");
            assertThat(onReplica2).as("the surviving replica takes the reads").isGreaterThan(whileDown / 2);

            cluster.start(Node.REPLICA1);
            health.await(Node.REPLICA1, "IN_ROTATION");
            long replica1Back = cluster.statementCalls(Node.REPLICA1, SEARCH_SQL);
            TestCluster.sleep(2_000);
            assertThat(cluster.statementCalls(Node.REPLICA1, SEARCH_SQL)).as("back in rotation").isGreaterThan(replica1Back);
            load.close();
            System.out.printf("load: %d requests by 64 clients, %d failed%n", load.ok() + load.failed(), load.failed());
            assertThat(load.failed()).as(load.someFailures()).isZero();
            assertThat(load.ok()).isGreaterThan(100);
        }
        assertThat(prometheus()).containsPattern("socialnet_routing_bans_total\\{node=\"" + cluster.authority(Node.REPLICA1)
                + "\"[^}]*} [1-9]");
    }

    @Test
    void bothReplicasKilledThePrimaryServesEveryRead() throws Exception {
        long primaryBefore = cluster.statementCalls(Node.PRIMARY, SEARCH_SQL);
        try (SearchLoad load = new SearchLoad(api, 16)) {
            TestCluster.sleep(1_000);
            cluster.kill(Node.REPLICA1);
            cluster.kill(Node.REPLICA2);
            TestCluster.sleep(3_000);
            load.close();
            System.out.printf("both replicas killed: %d requests, %d failed%n", load.ok() + load.failed(), load.failed());
            assertThat(load.failed()).as(load.someFailures()).isZero();
        }
        assertThat(cluster.statementCalls(Node.PRIMARY, SEARCH_SQL) - primaryBefore).isPositive();
        assertThat(api.get("/actuator/health").text("status")).as("dead replicas cost capacity, not service").isEqualTo("UP");
        assertThat(health.stateOf(Node.REPLICA1)).isEqualTo("BANNED");
        assertThat(health.stateOf(Node.REPLICA2)).isEqualTo("BANNED");
        assertThat(health.replication().path("details").path("replicas_in_rotation").asInt()).isZero();
        long onPrimary = cluster.statementCalls(Node.PRIMARY, SEARCH_SQL);
        for (int i = 0; i < 10; i++) {
            assertThat(search().status()).isEqualTo(200);
        }
        assertThat(cluster.statementCalls(Node.PRIMARY, SEARCH_SQL) - onPrimary).isEqualTo(10);
        assertThat(prometheus()).containsPattern("socialnet_routing_fallbacks_total\\{[^}]*reason=\"no-replica\"[^}]*} [1-9]");
    }

    @Test
    void aLaggingReplicaGetsNoReadsUntilItCatchesUp() {
        health.await(Node.REPLICA1, "IN_ROTATION");
        sql(Node.REPLICA1, "SELECT pg_wal_replay_pause()");
        // About 4 MB of WAL, well over the 256 kB bound of this test.
        sql(Node.PRIMARY, "CREATE TABLE lag_ballast AS SELECT repeat('x', 1000) AS filler FROM generate_series(1, 4000)");
        health.await(Node.REPLICA1, "LAGGING");
        // replica2 replays the same 4 MB: on a busy machine it can trail past the bound for a moment,
        // and while both are out the primary serves. The reads below are counted once it is back.
        health.await(Node.REPLICA2, "IN_ROTATION");
        JsonNode lagging = health.replication().path("details").path("nodes").path(cluster.authority(Node.REPLICA1));
        assertThat(lagging.path("in_rotation").asBoolean()).isFalse();
        assertThat(lagging.path("lag_bytes").asLong()).isGreaterThan(256 * 1024);
        assertThat(prometheus()).containsPattern("socialnet_routing_replica_in_rotation\\{node=\""
                + cluster.authority(Node.REPLICA1) + "\"[^}]*} 0");

        long replica1 = cluster.statementCalls(Node.REPLICA1, SEARCH_SQL);
        long replica2 = cluster.statementCalls(Node.REPLICA2, SEARCH_SQL);
        long primary = cluster.statementCalls(Node.PRIMARY, SEARCH_SQL);
        for (int i = 0; i < 20; i++) {
            assertThat(search().status()).isEqualTo(200);
        }
        assertThat(cluster.statementCalls(Node.REPLICA1, SEARCH_SQL) - replica1).as("reads on the lagging replica").isZero();
        // The other standby serves them; on a loaded machine a read whose pool was busy may fall back to the primary.
        long onReplica2 = cluster.statementCalls(Node.REPLICA2, SEARCH_SQL) - replica2;
        assertThat(onReplica2).isGreaterThanOrEqualTo(10);
        assertThat(onReplica2 + cluster.statementCalls(Node.PRIMARY, SEARCH_SQL) - primary).isEqualTo(20);

        sql(Node.REPLICA1, "SELECT pg_wal_replay_resume()");
        health.await(Node.REPLICA1, "IN_ROTATION");
        long back = cluster.statementCalls(Node.REPLICA1, SEARCH_SQL);
        for (int i = 0; i < 20; i++) {
            assertThat(search().status()).isEqualTo(200);
        }
        assertThat(cluster.statementCalls(Node.REPLICA1, SEARCH_SQL) - back).isBetween(5L, 15L);
    }

    @Test
    void withItsTokenAClientReadsItsOwnWriteEvenWhenNoReplicaHasIt() {
        health.awaitBothInRotation();
        sql(Node.REPLICA1, "SELECT pg_wal_replay_pause()");
        sql(Node.REPLICA2, "SELECT pg_wal_replay_pause()");
        int staleWithoutToken = 0;
        long primaryGets = cluster.statementCalls(Node.PRIMARY, GET_SQL);
        for (int i = 0; i < 20; i++) {
            Api.Response registered = api.register(unique("Токен"), "Свежий");
            assertThat(registered.status()).isEqualTo(200);
            String token = registered.header(TOKEN);
            assertThat(token).matches("[0-9A-F]{8}/[0-9A-F]+/[0-9A-F]+");
            String id = registered.text("user_id");

            Api.Response withToken = getWithToken(id, token);
            assertThat(withToken.status()).as("read-your-writes, iteration %d", i).isEqualTo(200);
            // The same read without the token: a replica that has not replayed the write answers.
            if (api.get("/user/get/" + id).status() == 404) {
                staleWithoutToken++;
            }
        }
        System.out.printf("replay paused on both replicas: 20/20 reads with the token found the new user; "
                + "%d/20 without it got the stale 404%n", staleWithoutToken);
        assertThat(staleWithoutToken).as("the stale read the token prevents").isEqualTo(20);
        assertThat(cluster.statementCalls(Node.PRIMARY, GET_SQL) - primaryGets)
                .as("no replica had the writes: the primary served the token reads").isEqualTo(20);
        assertThat(prometheus()).containsPattern("socialnet_routing_token_waits_total\\{[^}]*outcome=\"primary\"[^}]*} [1-9]");
    }

    @Test
    void aTokenIsServedByAReplicaOnceItHasReplayedIt() {
        Api.Response registered = api.register(unique("Догнал"), "Реплика");
        String id = registered.text("user_id");
        cluster.awaitReplicasCaughtUp();
        long primaryGets = cluster.statementCalls(Node.PRIMARY, GET_SQL);
        long replicaGets = cluster.statementCalls(Node.REPLICA1, GET_SQL) + cluster.statementCalls(Node.REPLICA2, GET_SQL);
        for (int i = 0; i < 4; i++) {
            assertThat(getWithToken(id, registered.header(TOKEN)).status()).isEqualTo(200);
        }
        assertThat(cluster.statementCalls(Node.PRIMARY, GET_SQL) - primaryGets).isZero();
        assertThat(cluster.statementCalls(Node.REPLICA1, GET_SQL) + cluster.statementCalls(Node.REPLICA2, GET_SQL)
                - replicaGets).isEqualTo(4);
    }

    @Test
    void aTokenThisClusterCannotHaveIssuedIsA400AndSoIsGarbage() {
        String id = api.register(unique("Линия"), "Времени").text("user_id");
        cluster.awaitReplicasCaughtUp();
        // A newer timeline than the primary's, a position far ahead, and the largest position
        // (which a signed comparison took for -1, "already replayed by everyone").
        for (String ahead : new String[] {"0000FFFF/0/1", "00000001/7FFFFFFF/FFFFFFFF", "00000001/FFFFFFFF/FFFFFFFF"}) {
            Api.Response r = getWithToken(id, ahead);
            assertThat(r.status()).as(ahead).isEqualTo(400);
            assertThat(r.text("message")).contains(TOKEN, "ahead");
        }
        Api.Response bad = getWithToken(id, "yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text("message")).contains(TOKEN);
        assertThat(bad.text("request_id")).isNotBlank();
        assertThat(getWithToken(id, "00000000/0/1").status()).as("timeline 0 does not exist").isEqualTo(400);
    }

    private Api.Response search() {
        return api.get("/user/search", Map.of("first_name", "Ла", "last_name", "Ну"));
    }

    private Api.Response getWithToken(String id, String token) {
        return api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/get/" + id))
                .header(TOKEN, token).GET());
    }

    private String prometheus() {
        return api.get("/actuator/prometheus").raw().body();
    }

    private static void sql(Node node, String sql) {
        try (Connection c = cluster.superuser(node); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(node + ": " + e.getMessage(), e);
        }
    }
}
