package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;

import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * A read method someone adds tomorrow gets routing, bans and retries from
 * {@code @Transactional(readOnly = true)} alone — shown with a bean that exists only in this test —
 * and a read a hot standby cancels for a recovery conflict runs again elsewhere instead of failing.
 */
class DeclaredReadsIT extends ClusterTest {

    /** A read written the way the project's users write one: an annotation, nothing else. */
    static class NewReads {
        private final JdbcClient jdbc;

        NewReads(JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        /** The port of the server that ran it, after holding its snapshot for {@code seconds}. */
        @Transactional(readOnly = true)
        public int serverPortAfter(double seconds) {
            return jdbc.sql("SELECT inet_server_port() FROM pg_sleep(:s)").param("s", seconds).query(Integer.class).single();
        }
    }

    @TestConfiguration
    static class Config {
        @Bean
        NewReads newReads(JdbcClient jdbc) {
            return new NewReads(jdbc);
        }
    }

    @Autowired
    NewReads reads;

    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        withReplicas(registry);
        // The reads here sleep for seconds on purpose; the default read bounds would cancel them.
        registry.add("pg.timeouts.read-statement", () -> "9s");
        registry.add("pg.timeouts.read-socket", () -> "10s");
    }

    @AfterEach
    void restore() {
        caller.shutdownNow();
        for (Node replica : new Node[] {Node.REPLICA1, Node.REPLICA2}) {
            cluster.execute(replica, "ALTER SYSTEM RESET hot_standby_feedback");
            cluster.execute(replica, "ALTER SYSTEM RESET max_standby_streaming_delay");
            cluster.execute(replica, "SELECT pg_reload_conf()");
        }
        cluster.execute(Node.PRIMARY, "DROP TABLE IF EXISTS conflict_probe");
    }

    @Test
    void theAnnotationAloneSendsTheReadToTheStandbys() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            ports.add(reads.serverPortAfter(0));
        }
        assertThat(ports).containsExactlyInAnyOrder(cluster.port(Node.REPLICA1), cluster.port(Node.REPLICA2));
    }

    @Test
    void aReadWhoseSessionIsKilledRunsAgainOnAnotherNode() throws Exception {
        Future<Integer> answered = caller.submit(() -> reads.serverPortAfter(3));
        Node ranOn = awaitSleeper();
        cluster.queryLong(ranOn, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE query LIKE 'SELECT inet_server_port() FROM pg_sleep%' AND pid <> pg_backend_pid()");
        int port = answered.get(30, TimeUnit.SECONDS);
        assertThat(port).as("re-run elsewhere, and answered").isNotEqualTo(cluster.port(ranOn));
        assertThat(api.get("/actuator/prometheus").raw().body())
                .containsPattern("socialnet_routing_retries_total\\{[^}]*kind=\"read\"[^}]*} [1-9]");
    }

    @Test
    void aReadCancelledForARecoveryConflictRunsAgainElsewhere() throws Exception {
        cluster.execute(Node.PRIMARY, "CREATE TABLE conflict_probe AS SELECT g AS v FROM generate_series(1, 1000) g");
        for (Node replica : new Node[] {Node.REPLICA1, Node.REPLICA2}) {
            // What makes a standby cancel reads: no feedback to hold VACUUM back, no delay granted to queries.
            cluster.execute(replica, "ALTER SYSTEM SET hot_standby_feedback = off");
            cluster.execute(replica, "ALTER SYSTEM SET max_standby_streaming_delay = 0");
            cluster.execute(replica, "SELECT pg_reload_conf()");
        }
        cluster.awaitReplicasCaughtUp();
        Future<Integer> answered = caller.submit(() -> reads.serverPortAfter(4));
        Node ranOn = awaitSleeper();
        // Row versions the sleeping read's snapshot may still need, removed on the primary: replaying
        // that removal conflicts with the read, and the standby cancels it (SQLSTATE 40001).
        cluster.execute(Node.PRIMARY, "UPDATE conflict_probe SET v = v + 1");
        cluster.execute(Node.PRIMARY, "VACUUM conflict_probe");
        int port = answered.get(30, TimeUnit.SECONDS);
        assertThat(port).isNotEqualTo(cluster.port(ranOn));
        assertThat(logOf(ranOn)).contains("conflict with recovery");
    }

    /** The standby where the sleeping read runs, by its own pg_stat_activity. */
    private Node awaitSleeper() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (Node n : Node.values()) {
                if (cluster.queryLong(n, "SELECT count(*) FROM pg_stat_activity"
                        + " WHERE query LIKE 'SELECT inet_server_port() FROM pg_sleep%' AND state = 'active'") > 0) {
                    return n;
                }
            }
            TestCluster.sleep(20);
        }
        throw new AssertionError("the read never started");
    }

    private static String logOf(Node node) throws java.io.IOException {
        return java.nio.file.Files.readString(cluster.dir().resolve(node.cliName).resolve("postgres.log"));
    }
}
