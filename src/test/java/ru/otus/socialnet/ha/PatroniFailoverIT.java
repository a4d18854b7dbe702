package ru.otus.socialnet.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.PatroniCluster;
import ru.otus.socialnet.testsupport.TestCluster;

/**
 * The failover drill in Patroni mode: the service runs against the Patroni cluster with every node
 * in PG_AUTHORITY_MASTER, writers register users with unique markers, the leader is killed with -9
 * (Patroni and the postmaster's process group), and Patroni elects a new one by itself. Writes must
 * come back on the new leader without restarting the service, and with synchronous_mode and
 * synchronous_mode_strict no acknowledged write may be missing there.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PatroniFailoverIT {

    private static final int WRITERS = 4;
    private static final PatroniCluster cluster = PatroniCluster.startFresh();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void patroni(DynamicPropertyRegistry registry) {
        registry.add("pg.authority.master", cluster::allAuthorities);
        registry.add("pg.authority.replica", cluster::replicaAuthorities);
        registry.add("pg.database", () -> TestCluster.DATABASE);
        registry.add("pg.user", () -> TestCluster.APP_USER);
        registry.add("pg.password", () -> TestCluster.APP_PASSWORD);
    }

    @AfterAll
    static void wipe() {
        cluster.wipe();
    }

    @Test
    void killedLeaderIsReplacedAndNoAcknowledgedWriteIsLost() throws Exception {
        Api api = new Api(port);
        String run = "ha" + Long.toString(System.currentTimeMillis(), 36);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ConcurrentMap<String, AtomicLong> errors = new ConcurrentHashMap<>();
        // killedAt: the kill was issued; killDone: the node is gone (its port is free). A write
        // counts as "after the kill" only if its request started after killDone.
        AtomicLong killedAt = new AtomicLong();
        AtomicLong killDone = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAckAfterKill = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean stop = new AtomicBoolean();

        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.submit(() -> {
                for (int seq = 0; !stop.get(); seq++) {
                    String marker = run + "-" + writer + "-" + seq;
                    String outcome;
                    long started = System.currentTimeMillis();
                    try {
                        Api.Response r = api.register("Патрони", marker);
                        outcome = r.status() == 200 && r.text("user_id") != null ? "ok" : "http " + r.status();
                    } catch (RuntimeException e) {
                        outcome = "client " + e.getClass().getSimpleName();
                        TestCluster.sleep(100);
                    }
                    if (outcome.equals("ok")) {
                        acknowledged.add(marker);
                        if (started > killDone.get()) {
                            firstAckAfterKill.accumulateAndGet(System.currentTimeMillis(), Math::min);
                        }
                    } else {
                        errors.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                        TestCluster.sleep(50);
                    }
                }
            });
        }

        TestCluster.sleep(3_000);
        int beforeKill = acknowledged.size();
        assertThat(beforeKill).as("writes acknowledged before the kill").isPositive();
        String oldLeader = cluster.leader();
        assertThat(oldLeader).isNotNull();

        killedAt.set(System.currentTimeMillis());
        cluster.cli("kill", oldLeader);
        killDone.set(System.currentTimeMillis());
        // Patroni's own timeline: new leader elected, a replica streams from it, a commit returns.
        String timeline = cluster.cli("failover");

        // Keep writing until the service's writes come back (bounded generously: a shared machine).
        long deadline = System.currentTimeMillis() + 90_000;
        while (firstAckAfterKill.get() == Long.MAX_VALUE && System.currentTimeMillis() < deadline) {
            TestCluster.sleep(100);
        }
        TestCluster.sleep(2_000);
        stop.set(true);
        writers.shutdown();
        assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(firstAckAfterKill.get()).as("a write acknowledged after the kill, without restarting the service")
                .isNotEqualTo(Long.MAX_VALUE);
        String newLeader = cluster.leader();
        assertThat(newLeader).as("the new leader").isNotNull().isNotEqualTo(oldLeader);

        Set<String> stored = new HashSet<>();
        try (Connection c = cluster.superuser(newLeader);
                PreparedStatement st = c.prepareStatement("SELECT second_name FROM users WHERE second_name LIKE ?")) {
            st.setString(1, run + "-%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(stored);
        Set<String> unacknowledged = new HashSet<>(stored);
        unacknowledged.removeAll(acknowledged);
        long streaming;
        try (Connection c = cluster.superuser(newLeader); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
            rs.next();
            streaming = rs.getLong(1);
        }

        long failoverMs = firstAckAfterKill.get() - killedAt.get();
        System.out.printf("""
                patroni drill (synchronous_mode strict, %d writers):
                  killed %s at %d; new leader %s
                  patroni timeline:
                %s
                  kill -> first acknowledged write through the service: %.1f s
                  acknowledged %d (%d before the kill), stored on the new leader %d
                  lost acknowledged writes: %d; stored but not acknowledged (in flight): %d
                  client errors by kind: %s
                  replicas streaming from the new leader: %d
                """, WRITERS, oldLeader, killedAt.get(), newLeader, timeline.strip().indent(4).stripTrailing(),
                failoverMs / 1000.0, acknowledged.size(), beforeKill, stored.size(), lost.size(),
                unacknowledged.size(), new TreeMap<>(errors), streaming);

        assertThat(lost).as("acknowledged writes missing on the new leader").isEmpty();
        assertThat(acknowledged.size()).as("writes acknowledged after the failover").isGreaterThan(beforeKill);
        assertThat(streaming).as("the surviving replica streams from the new leader").isGreaterThanOrEqualTo(1);
    }
}
