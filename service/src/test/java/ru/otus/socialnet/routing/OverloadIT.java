package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Overload is not failure: standbys whose pools are merely busy (a pool wait that times out under
 * load) stay in rotation. Pools of two connections, 48 clients and standbys that stall for a few
 * hundred milliseconds at a time (SIGSTOP / SIGCONT: an overloaded machine) make every pool busy
 * on any machine, however fast; the answer bounds are raised so that a stall is never a failure.
 * The searches are served all the same: by the next node, or the primary, within a few hundred
 * milliseconds of a stall; at most a few get the overload answer, a 503.
 */
class OverloadIT extends ClusterTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        withReplicas(registry);
        registry.add("pg.pool.replica-size", () -> "2");
        registry.add("pg.timeouts.read-pool-wait", () -> "250ms");
        registry.add("pg.timeouts.read-socket", () -> "20s");
        registry.add("pg.timeouts.read-statement", () -> "15s");
        registry.add("pg.timeouts.probe", () -> "20s");
        registry.add("pg.timeouts.connect", () -> "10s");
    }

    @Test
    void busyPoolsBanNoNode() throws Exception {
        RoutingHealth health = new RoutingHealth(api, cluster);
        try (SearchLoad load = new SearchLoad(api, 48)) {
            // The first searches of a fresh service are slow for reasons of their own (a cold JIT).
            TestCluster.sleep(1_000);
            long okBefore = load.ok();
            long failedBefore = load.failed();
            load.resetSlowest();
            long end = System.currentTimeMillis() + 4_000;
            while (System.currentTimeMillis() < end) {
                stall(Node.REPLICA1, Node.REPLICA2);
                TestCluster.sleep(100);
            }
            load.close();
            long ok = load.ok() - okBefore;
            long failed = load.failed() - failedBefore;
            System.out.printf("48 clients on pools of 2, standbys stalling: %d answered, %d failed %s, slowest %d ms%n",
                    ok, failed, load.failedByStatus(), load.slowestMillis());
            // What a user would notice: most searches answered; the others told at once to come back
            // (503, the overload answer), never a 500 and never a wait near the raised socket bound.
            assertThat(failed).as("failed searches (answered: %d): %s", ok, load.someFailures()).isLessThan(ok);
            assertThat(load.failedByStatus().keySet()).as("every failure is the overload answer").isSubsetOf(503);
            assertThat(load.slowestMillis()).as("slowest search (socket bound raised to 20 s)").isLessThan(10_000);
        }
        String metrics = api.get("/actuator/prometheus").raw().body();
        assertThat(metrics).as("busy pools were met").containsPattern("socialnet_routing_busy_total\\{[^}]*} [1-9]");
        assertThat(metrics).as("and no node was banned for it").doesNotContainPattern("socialnet_routing_bans_total\\{[^}]*} [1-9]");
        assertThat(health.stateOf(Node.REPLICA1)).isEqualTo("IN_ROTATION");
        assertThat(health.stateOf(Node.REPLICA2)).isEqualTo("IN_ROTATION");
        assertThat(health.stateOf(Node.PRIMARY)).isEqualTo("PRIMARY");
    }

    /** The standbys stop answering for ~300 ms, then answer again. */
    private static void stall(Node... nodes) {
        try {
            for (Node n : nodes) {
                cluster.pause(n);
            }
            TestCluster.sleep(300);
        } finally {
            for (Node n : nodes) {
                cluster.resume(n);
            }
        }
    }
}
