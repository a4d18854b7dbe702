package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Quorum commit with no standby left (issue 24, point 1): every commit would wait in SyncRep for a
 * standby that is not there. The service must neither pile up backends on the primary (a write it
 * gave up on leaves a backend waiting there; the pool opens a replacement) nor start writes that
 * cannot be acknowledged: they are refused at once with 503, nothing stored. A database of its own,
 * so the server's count of its backends is this service's alone.
 */
@DirtiesContext
class QuorumWithoutStandbyIT extends ClusterTest {

    static final String DATABASE = "quorum_without_standby";
    static final int PRIMARY_POOL = 4;
    static final int REPLICA_POOL = 4;
    static final String BYSTANDER = "bystander";

    static {
        if (cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM pg_database WHERE datname = '" + DATABASE + "'") == 0) {
            cluster.execute(Node.PRIMARY, "CREATE DATABASE " + DATABASE + " OWNER socialnet");
        }
        cluster.execute(Node.PRIMARY, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + BYSTANDER
                + "') THEN CREATE ROLE " + BYSTANDER + " LOGIN PASSWORD '" + BYSTANDER + "'; END IF; END $$");
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        withReplicas(registry);
        registry.add("pg.database", () -> DATABASE);
        registry.add("pg.pool.primary-size", () -> PRIMARY_POOL);
        registry.add("pg.pool.replica-size", () -> REPLICA_POOL);
    }

    @AfterEach
    void restoreCluster() {
        cluster.cli("sync", "async"); // releases whatever still waits for a standby
        for (Node standby : new Node[] {Node.REPLICA1, Node.REPLICA2}) {
            cluster.resume(standby);
            cluster.start(standby);
        }
        cluster.awaitReplicasCaughtUp();
    }

    record Answer(String name, int status, long millis) {
    }

    /** What the clients were answered and what the primary held meanwhile, every 5 s. */
    record Load(List<Answer> answers, List<Long> connections, List<Boolean> bystanderConnected) {
    }

    @Test
    void withNoStandbyToAcknowledgeWritesAreRefusedUpFrontAndThePrimaryKeepsItsConnectionSlots() throws Exception {
        assertThat(api.register(unique("Кворум"), "Доостановки").status()).isEqualTo(200);
        cluster.cli("sync", "quorum");
        cluster.stop(Node.REPLICA1);
        cluster.stop(Node.REPLICA2);

        Load load = registerFor(Duration.ofSeconds(40), "standbys stopped");

        assertBounded(load);
        assertThat(load.answers()).extracting(Answer::status).contains(503);
        JsonNode writes = api.get("/actuator/health").json().path("components").path("writes");
        assertThat(writes.path("status").asString()).isEqualTo("DOWN");
        assertThat(writes.path("details").path("reason").asString()).contains("standby", "ANY 1");
        assertThat(api.get("/actuator/prometheus").raw().body())
                .containsPattern("socialnet_routing_writes_refused_total\\{reason=\"no-sync-standby\"[^}]*} [1-9]");

        // A standby back: the refusal lifts by itself.
        cluster.start(Node.REPLICA1);
        long back = System.nanoTime();
        int status = 0;
        while (status != 200 && System.nanoTime() - back < TimeUnit.SECONDS.toNanos(30)) {
            status = api.register(unique("Кворум"), "Вернулся").status();
            TestCluster.sleep(50);
        }
        assertThat(status).as("a write once a standby streams again").isEqualTo(200);
        System.out.printf("QuorumWithoutStandbyIT: writes taken again %d ms after the standby's start returned%n",
                (System.nanoTime() - back) / 1_000_000);
    }

    /**
     * Hung standbys still count as streaming on the primary (until wal_sender_timeout), so writes are
     * taken, wait at their commit and are cut off by the socket timeout: the races the up-front
     * refusal cannot see. Each session given up on is ended on the primary.
     */
    @Test
    void sessionsTheServiceGaveUpOnAreEndedOnThePrimary() throws Exception {
        cluster.cli("sync", "quorum");
        cluster.awaitReplicasCaughtUp();
        cluster.pause(Node.REPLICA1);
        cluster.pause(Node.REPLICA2);

        Load load = registerFor(Duration.ofSeconds(20), "standbys hung");

        assertBounded(load);
        assertThat(load.answers()).extracting(Answer::status).contains(504);
        assertThat(api.get("/actuator/prometheus").raw().body())
                .containsPattern("socialnet_routing_abandoned_sessions_total\\{outcome=\"ended\"[^}]*} [1-9]");
    }

    /** 8 clients registering for {@code duration}; the primary's connections sampled every 5 s. */
    private Load registerFor(Duration duration, String what) throws Exception {
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        AtomicInteger n = new AtomicInteger();
        for (int i = 0; i < 8; i++) {
            running.add(clients.submit(() -> {
                while (System.nanoTime() < end) {
                    String name = "Кворум" + n.incrementAndGet() + "ж" + System.nanoTime();
                    long start = System.nanoTime();
                    int status = api.register(name, "Безреплик").status();
                    answers.add(new Answer(name, status, (System.nanoTime() - start) / 1_000_000));
                    TestCluster.sleep(100);
                }
                return null;
            }));
        }
        List<Long> connections = new ArrayList<>();
        List<Boolean> bystanderConnected = new ArrayList<>();
        while (System.nanoTime() < end) {
            TestCluster.sleep(5_000);
            connections.add(serviceBackendsOnPrimary());
            bystanderConnected.add(bystanderCanConnect());
        }
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
        clients.shutdown();
        List<Answer> all = List.copyOf(answers);
        System.out.printf("QuorumWithoutStandbyIT (%s): service connections on the primary every 5 s %s; "
                + "statuses %s; slowest %d ms%n", what, connections,
                all.stream().collect(Collectors.groupingBy(Answer::status, TreeMap::new, Collectors.counting())),
                all.stream().mapToLong(Answer::millis).max().orElse(0));
        return new Load(all, connections, bystanderConnected);
    }

    private static void assertBounded(Load load) {
        assertThat(load.connections()).as("service connections on the primary, every 5 s")
                .allMatch(c -> c <= PRIMARY_POOL + REPLICA_POOL + 1); // + the monitor's own
        assertThat(load.bystanderConnected()).as("another role can connect").containsOnly(true);
        assertThat(load.answers()).extracting(Answer::status).isSubsetOf(200, 503, 504);
        long bound = writeBound().toMillis();
        assertThat(load.answers()).as("answered within the write bounds (%d ms)", bound)
                .allMatch(a -> a.millis() <= bound);
        String refused = load.answers().stream().filter(a -> a.status() == 503).map(a -> "'" + a.name() + "'")
                .collect(Collectors.joining(","));
        if (!refused.isEmpty()) {
            assertThat(storedOnPrimary("SELECT count(*) FROM users WHERE first_name IN (" + refused + ")"))
                    .as("writes answered 503 that are stored").isZero();
        }
    }

    private static long storedOnPrimary(String count) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + cluster.authority(Node.PRIMARY) + "/"
                + DATABASE, "postgres", "postgres"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(count)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The longest a registration may take here: a pool wait and a cut-off commit, then the lookup of
     * its outcome for resolve-for, whose last attempt may wait for the pool and the socket again.
     */
    private static Duration writeBound() {
        Duration attempt = Duration.ofSeconds(2 + 3); // pg.timeouts.write-pool-wait + write-socket (defaults)
        return attempt.multipliedBy(2).plus(Duration.ofSeconds(5)).plus(Duration.ofSeconds(5)); // + resolve-for + slack
    }

    private static long serviceBackendsOnPrimary() {
        return cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + DATABASE
                + "' AND usename = '" + TestCluster.APP_USER + "'");
    }

    private static boolean bystanderCanConnect() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + cluster.authority(Node.PRIMARY) + "/"
                + DATABASE + "?connectTimeout=5&loginTimeout=5", BYSTANDER, BYSTANDER)) {
            return c.isValid(5);
        } catch (SQLException e) {
            System.out.println("QuorumWithoutStandbyIT: " + BYSTANDER + " cannot connect: " + e.getMessage());
            return false;
        }
    }
}
