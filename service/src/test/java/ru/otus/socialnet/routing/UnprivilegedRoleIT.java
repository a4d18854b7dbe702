package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * The service on a cluster the project did not configure for it: an application role with only
 * what its own SQL needs — it owns its database, and has no pg_monitor, no pg_read_all_stats —
 * as on a user's own or a managed cluster. Reads must still go to the standbys; what the role
 * cannot see is said once, with the GRANT that would show it.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnprivilegedRoleIT extends ClusterTest {

    static final String ROLE = "plain_app";

    static {
        if (cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "'") == 0) {
            cluster.execute(Node.PRIMARY, "CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + ROLE + "'");
            cluster.execute(Node.PRIMARY, "CREATE DATABASE " + ROLE + " OWNER " + ROLE);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("pg.authority.master", () -> cluster.authority(Node.PRIMARY));
        registry.add("pg.authority.replica", cluster::replicaAuthorities);
        registry.add("pg.database", () -> ROLE);
        registry.add("pg.user", () -> ROLE);
        registry.add("pg.password", () -> ROLE);
    }

    @Test
    void readsGoToTheStandbysAndWhatTheRoleCannotSeeIsSaidOnce(CapturedOutput output) {
        assertThat(cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member"
                + " WHERE r.rolname = '" + ROLE + "'")).as("the role is a member of no role").isZero();
        assertThat(api.register("Простая", "Роль").status()).isEqualTo(200);
        cluster.awaitReplicasCaughtUp();
        awaitStandbysInRotation();

        Map<Node, Long> before = searches();
        for (int i = 0; i < 40; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Пр", "last_name", "Ро")).status()).isEqualTo(200);
        }
        Map<Node, Long> after = searches();
        assertThat(after.get(Node.PRIMARY) - before.get(Node.PRIMARY)).as("searches on the primary").isZero();
        assertThat(after.get(Node.REPLICA1) - before.get(Node.REPLICA1)).as("on replica1").isBetween(10L, 30L);
        assertThat(after.get(Node.REPLICA2) - before.get(Node.REPLICA2)).as("on replica2").isBetween(10L, 30L);

        JsonNode replication = api.get("/actuator/health").json().path("components").path("replication").path("details");
        assertThat(replication.path("wal_receiver_status_visible").asBoolean()).isFalse();
        assertThat(replication.path("nodes").path(cluster.authority(Node.REPLICA1)).path("wal_receiver").asString())
                .contains("pg_read_all_stats");
        assertThat(output.getOut()).containsOnlyOnce("GRANT pg_read_all_stats TO");
    }

    private void awaitStandbysInRotation() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            JsonNode nodes = api.get("/actuator/health").json().path("components").path("replication").path("details").path("nodes");
            if ("IN_ROTATION".equals(nodes.path(cluster.authority(Node.REPLICA1)).path("state").asString())
                    && "IN_ROTATION".equals(nodes.path(cluster.authority(Node.REPLICA2)).path("state").asString())) {
                return;
            }
            assertThat(System.nanoTime()).as("both standbys in rotation:\n" + nodes).isLessThan(deadline);
            TestCluster.sleep(100);
        }
    }

    /** Searches this role's database ran on each node, by the node's own pg_stat_statements. */
    private static Map<Node, Long> searches() {
        Map<Node, Long> calls = new java.util.EnumMap<>(Node.class);
        for (Node n : Node.values()) {
            calls.put(n, cluster.queryLong(n, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
                    + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '" + ROLE + "')"
                    + " AND query LIKE '%" + ReadWriteRoutingIT.SEARCH_SQL + "%'"));
        }
        return calls;
    }
}
