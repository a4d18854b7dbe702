package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Bounded time, whatever the nodes do: a node that hangs (SIGSTOP: its connections stay open and
 * its port keeps accepting, nothing answers), a node that is gone, a lock held for long. The bounds
 * are the issue's, with the service's default timeouts.
 */
class BoundedTimeIT extends ReplicatedServiceTest {

    private static final long READ_BOUND_MS = 2_000;
    private static final long HEALTH_BOUND_MS = 1_000;
    private static final long WRITE_BOUND_MS = 3_500;

    private RoutingHealth health;

    @BeforeEach
    void readHealth() {
        health = new RoutingHealth(api, cluster);
    }

    @AfterEach
    void restoreCluster() {
        for (Node node : Node.values()) {
            cluster.resume(node);
            cluster.start(node);
        }
        cluster.awaitReplicasCaughtUp();
        health.awaitAllServing();
    }

    @Test
    void aHungReplicaUnderLoadFailsNoRequestAndSlowsNoneBeyondTwoSeconds() throws Exception {
        try (SearchLoad load = new SearchLoad(api, 64)) {
            TestCluster.sleep(1_500);
            load.resetSlowest();
            long failedBefore = load.failed();
            cluster.pause(Node.REPLICA1);
            long slowestHealth = 0;
            for (int i = 0; i < 20; i++) {
                slowestHealth = Math.max(slowestHealth, timed(() -> api.get("/actuator/health")));
                TestCluster.sleep(400);
            }
            cluster.resume(Node.REPLICA1);
            TestCluster.sleep(1_000);
            load.close();
            System.out.printf("replica1 hung 8 s under 64 clients: %d requests, %d failed, slowest %d ms; "
                    + "slowest /actuator/health %d ms%n", load.ok() + load.failed(), load.failed(), load.slowestMillis(),
                    slowestHealth);
            assertThat(load.failed() - failedBefore).as(load.someFailures()).isZero();
            assertThat(load.slowestMillis()).as("slowest search while a replica hung").isLessThan(READ_BOUND_MS);
            assertThat(slowestHealth).as("slowest health answer").isLessThan(HEALTH_BOUND_MS);
        }
    }

    @Test
    void aHungPrimaryLeavesReadsUntouched() throws Exception {
        try (SearchLoad load = new SearchLoad(api, 32)) {
            TestCluster.sleep(1_000);
            load.resetSlowest();
            cluster.pause(Node.PRIMARY);
            TestCluster.sleep(6_000);
            long slowestHealth = timed(() -> api.get("/actuator/health/readiness"));
            cluster.resume(Node.PRIMARY);
            load.close();
            System.out.printf("primary hung 6 s under 32 clients: %d searches, %d failed, slowest %d ms%n",
                    load.ok() + load.failed(), load.failed(), load.slowestMillis());
            assertThat(load.failed()).as(load.someFailures()).isZero();
            assertThat(load.slowestMillis()).isLessThan(READ_BOUND_MS);
            assertThat(slowestHealth).isLessThan(HEALTH_BOUND_MS);
        }
    }

    @Test
    void aWriteMeetingAPrimaryThatJustHungFailsWithinItsBound() {
        // A pooled connection used a moment ago is handed out unchecked: the worst case, where the
        // write is sent to the hung server and only the socket timeout ends it.
        assertThat(api.register(unique("Тёплая"), "Запись").status()).isEqualTo(200);
        cluster.pause(Node.PRIMARY);
        long slowest = 0;
        for (int i = 0; i < 4; i++) {
            long[] status = new long[1];
            slowest = Math.max(slowest, timed(() -> status[0] = api.register(unique("Зависла"), "Запись").status()));
            assertThat(status[0]).as("a write with the primary hung").isEqualTo(503);
        }
        System.out.printf("writes with the primary hung: slowest answer %d ms%n", slowest);
        assertThat(slowest).isLessThan(WRITE_BOUND_MS);
    }

    @Test
    void withThePrimaryGoneWritesFailFastAndATokenReadIsServedByAStandbyThatHasIt() {
        Api.Response registered = api.register(unique("Жетон"), "Читатель");
        String token = registered.header("X-Consistency-Token");
        String id = registered.text("user_id");
        cluster.awaitReplicasCaughtUp();
        cluster.kill(Node.PRIMARY);

        for (int i = 0; i < 3; i++) {
            long[] status = new long[1];
            long took = timed(() -> status[0] = api.register(unique("Безпервичного"), "Запись").status());
            assertThat(status[0]).isEqualTo(503);
            assertThat(took).as("a write with the primary gone").isLessThan(WRITE_BOUND_MS);
        }
        long replicaGets = cluster.statementCalls(Node.REPLICA1, ReadWriteRoutingIT.GET_SQL)
                + cluster.statementCalls(Node.REPLICA2, ReadWriteRoutingIT.GET_SQL);
        long[] status = new long[1];
        long took = timed(() -> status[0] = api.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/user/get/" + id)).header("X-Consistency-Token", token).GET()).status());
        assertThat(status[0]).as("a read with its token while the primary is down").isEqualTo(200);
        assertThat(took).isLessThan(READ_BOUND_MS);
        assertThat(cluster.statementCalls(Node.REPLICA1, ReadWriteRoutingIT.GET_SQL)
                + cluster.statementCalls(Node.REPLICA2, ReadWriteRoutingIT.GET_SQL) - replicaGets).isEqualTo(1);
        assertThat(api.get("/actuator/health/readiness").status()).as("reads can be served: ready").isEqualTo(200);
    }

    @Test
    void aLongAccessExclusiveLockCostsReadsAndWritesABoundedWaitNotItsLength() throws Exception {
        String id = api.register(unique("Замок"), "Чтение").text("user_id");
        cluster.awaitReplicasCaughtUp();
        try (Connection c = cluster.superuser(Node.PRIMARY); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            st.execute("SELECT pg_current_xact_id()"); // a WAL record: the standbys replay the lock too
            long lockedAt = System.nanoTime();
            TestCluster.sleep(300);
            long slowestRead = 0;
            long slowestWrite = 0;
            for (int i = 0; i < 5; i++) {
                long[] s = new long[1];
                long took = timed(() -> s[0] = api.get("/user/get/" + id).status());
                assertThat(took).as("a read behind the lock (answered %d)", s[0]).isLessThan(READ_BOUND_MS);
                assertThat(s[0]).isIn(200L, 503L);
                slowestRead = Math.max(slowestRead, took);
                took = timed(() -> s[0] = api.register(unique("Замок"), "Запись").status());
                assertThat(took).as("a write behind the lock (answered %d)", s[0]).isLessThan(WRITE_BOUND_MS);
                assertThat(s[0]).isEqualTo(503L);
                slowestWrite = Math.max(slowestWrite, took);
            }
            System.out.printf("ACCESS EXCLUSIVE lock held %d ms: slowest read %d ms, slowest write %d ms%n",
                    (System.nanoTime() - lockedAt) / 1_000_000, slowestRead, slowestWrite);
            c.rollback();
        }
        assertThat(api.get("/user/get/" + id).status()).isEqualTo(200);
    }

    private static long timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return (System.nanoTime() - start) / 1_000_000;
    }
}
