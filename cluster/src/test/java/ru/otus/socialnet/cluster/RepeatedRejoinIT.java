package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Issue 10, part 4: {@code bin/cluster rejoin} ten times in a row, failing over back and forth
 * under a steady write load, on a cluster of its own. The rewound node must come up streaming as
 * the replication role through its own slot — never with the settings pg_rewind -R writes
 * (user=postgres, whom pg_hba.conf refuses replication) or the slot name it copies from the
 * source. Under load the rewound node needs WAL beyond what pg_rewind copied, so with those
 * settings it could not even finish starting.
 */
class RepeatedRejoinIT {

    static final TestCluster cluster = TestCluster.startNew("rejoin-cluster", 30);

    @AfterAll
    static void wipe() {
        cluster.wipe();
    }

    @Test
    void tenRejoinsInARowUnderWriteLoad() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong committed = new AtomicLong();
        Thread writer = new Thread(() -> write(running, committed), "rejoin-load");
        writer.setDaemon(true);
        writer.start();
        List<String> timings = new ArrayList<>();
        try {
            for (int i = 1; i <= 10; i++) {
                Node old = current("primary");
                cluster.kill(old);
                cluster.cli("failover");
                Node promoted = current("primary");
                long before = committed.get();
                long start = System.nanoTime();
                cluster.cli("rejoin", old.cliName);
                long ms = (System.nanoTime() - start) / 1_000_000;
                timings.add(i + ": " + old.cliName + " rejoined " + promoted.cliName + " in " + ms + " ms");

                ClusterRestartIT.awaitStreaming(cluster, promoted, old);
                assertThat(cluster.queryLong(old, "SELECT count(*) FROM pg_stat_wal_receiver WHERE slot_name = '"
                        + old.cliName + "' AND conninfo LIKE '%user=replicator%' AND status = 'streaming'"))
                        .as("rejoin %d: %s streams as replicator through its own slot", i, old).isEqualTo(1);
                awaitCommits(committed, before + 5);
            }
        } finally {
            running.set(false);
            writer.join(10_000);
            timings.forEach(System.out::println);
        }
        Node primary = current("primary");
        for (Node n : Node.values()) {
            if (n != primary) {
                ClusterRestartIT.awaitStreaming(cluster, primary, n);
            }
        }
        assertThat(committed.get()).as("the load kept committing through ten failovers").isGreaterThan(50);
    }

    private static Node current(String role) {
        for (Node n : Node.values()) {
            if (cluster.role(n).equals(role)) {
                return n;
            }
        }
        throw new IllegalStateException("no node is " + role + ":\n" + cluster.cli("status"));
    }

    /** Until the load committed TARGET batches: it follows the new primary (60 s at most). */
    private static void awaitCommits(AtomicLong committed, long target) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (committed.get() < target) {
            assertThat(System.nanoTime()).as("the load commits on the new primary").isLessThan(deadline);
            TestCluster.sleep(50);
        }
    }

    /** Batches of rows into whichever node is the primary (the driver finds it), until stopped. */
    private static void write(AtomicBoolean running, AtomicLong committed) {
        String url = "jdbc:postgresql://" + cluster.allAuthorities() + "/" + TestCluster.DATABASE
                + "?targetServerType=primary&connectTimeout=2&socketTimeout=10";
        while (running.get()) {
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                 Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS rejoin_load (id bigserial PRIMARY KEY, pad text)");
                while (running.get()) {
                    st.execute("INSERT INTO rejoin_load (pad) SELECT repeat('x', 200) FROM generate_series(1, 100)");
                    committed.incrementAndGet();
                }
            } catch (SQLException e) {
                TestCluster.sleep(200); // the primary is being replaced; the next connection finds the new one
            }
        }
    }
}
