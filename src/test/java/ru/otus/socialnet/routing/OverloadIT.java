package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Overload is not failure: standbys whose pools are merely busy (a pool wait that times out under
 * load) stay in rotation. Pools of two connections and 48 clients, and for 1.5 s of the load slow
 * reads: an ACCESS EXCLUSIVE lock taken on the primary is replayed on the standbys, where the reads
 * wait for it (up to pg.timeouts.read-lock) holding their connections. (The searches alone are now
 * too fast for 48 clients to keep pools of two busy for the 250 ms a pool wait lasts.)
 */
class OverloadIT extends ClusterTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        withReplicas(registry);
        registry.add("pg.pool.replica-size", () -> "2");
        registry.add("pg.timeouts.read-pool-wait", () -> "250ms");
    }

    @Test
    void busyPoolsBanNoNode() throws Exception {
        RoutingHealth health = new RoutingHealth(api, cluster);
        try (SearchLoad load = new SearchLoad(api, 48)) {
            TestCluster.sleep(1_500);
            try (Connection c = cluster.superuser(Node.PRIMARY); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
                TestCluster.sleep(1_500);
                c.rollback();
            }
            TestCluster.sleep(1_000);
            load.close();
            System.out.printf("48 clients on pools of 2: %d answered, %d failed%n", load.ok(), load.failed());
            assertThat(load.ok()).isPositive();
        }
        String metrics = api.get("/actuator/prometheus").raw().body();
        assertThat(metrics).as("busy pools were met").containsPattern("socialnet_routing_busy_total\\{[^}]*} [1-9]");
        assertThat(metrics).as("and no node was banned for it").doesNotContainPattern("socialnet_routing_bans_total\\{[^}]*} [1-9]");
        assertThat(health.stateOf(Node.REPLICA1)).isEqualTo("IN_ROTATION");
        assertThat(health.stateOf(Node.REPLICA2)).isEqualTo("IN_ROTATION");
        assertThat(health.stateOf(Node.PRIMARY)).isEqualTo("PRIMARY");
    }
}
