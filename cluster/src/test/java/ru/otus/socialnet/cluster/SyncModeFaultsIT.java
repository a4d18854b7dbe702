package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * The commit mode and the waits of bin/cluster under faults nobody scripted: a standby that was down
 * at the quorum switch and comes back with {@code bin/cluster start}, a standby that hangs while a
 * command waits for it to stream. A cluster of its own: the tests fail it over.
 */
class SyncModeFaultsIT {

    private static final TestCluster cluster = TestCluster.startNew("sync-faults", 60);

    @BeforeEach
    void freshCluster() {
        cluster.wipe();
        cluster.cli("up");
    }

    @AfterEach
    void resumeAll() {
        for (Node n : Node.values()) {
            cluster.attempt("resume", n.cliName);
        }
    }

    @Test
    void aStandbyStartedAfterTheQuorumSwitchIsPromotedInQuorum() throws SQLException {
        cluster.stop(Node.REPLICA2);
        cluster.cli("sync", "quorum");
        cluster.start(Node.REPLICA2);        // back after the switch: the cluster runs in quorum
        cluster.stop(Node.REPLICA1);         // maintenance; replica2 now acknowledges every commit
        cluster.kill(Node.PRIMARY);

        String failover = cluster.cli("failover");

        assertThat(failover).contains("promote replica2 (sync mode quorum)");
        assertThat(show(Node.REPLICA2, "synchronous_standby_names")).isEqualTo("ANY 1 (primary, replica1)");
    }

    @Test
    void waitingForAHungStandbyToStreamEndsInTheTimeAskedFor() {
        cluster.pause(Node.REPLICA2);
        // 3 s asked; each try on a hung server takes PGCONNECT_TIMEOUT (5 s): counted tries made it 60 x 5 s.
        String out = cluster.shell("d=" + cluster.nodeDir(Node.REPLICA2) + "; start=$SECONDS; "
                + "( node_wait_streaming_on_timeline \"$d\" 99 3 ) & w=$!; "
                + "while kill -0 $w 2>/dev/null && [ $((SECONDS - start)) -lt 60 ]; do sleep 1; done; "
                + "kill $w 2>/dev/null || true; echo \"took $((SECONDS - start)) s\"");

        int took = Integer.parseInt(out.replaceAll("(?s).*took (\\d+) s.*", "$1"));
        assertThat(took).as(out).isLessThan(20);
        assertThat(out).contains("replica2 is not streaming on timeline 99 after 3 s");
    }

    @Test
    void aMistypedNodeNameIsRefusedNotReportedDone() {
        for (String verb : new String[] {"stop", "kill", "pause", "rejoin"}) {
            TestCluster.CliResult r = cluster.attempt(verb, "replica3");
            assertThat(r.ok()).as(verb + ": " + r.output()).isFalse();
            assertThat(r.output()).contains("unknown node 'replica3'");
        }
        TestCluster.CliResult pattern = cluster.attempt("rejoin", "prim.ry");   // no pattern matching on names
        assertThat(pattern.output()).contains("unknown node 'prim.ry'");
        assertThat(cluster.role(Node.PRIMARY)).isEqualTo("primary");
    }

    /**
     * An operator's mistake: a standby promoted by hand (pg_ctl promote) while the real primary keeps
     * writing in quorum mode, acknowledged through the other standby. Both sides now hold writes the
     * other lacks. 'up' used to pick the newest timeline and advise rewinding the real primary (losing
     * its acknowledged write); it must refuse both and leave the choice to a person.
     */
    @Test
    void aStandbyPromotedByHandWhileThePrimaryWritesIsASplitBrainNotAStalePrimary() throws SQLException {
        cluster.cli("sync", "quorum");
        ClusterRestartIT.createProbeTable(cluster);
        cluster.queryLong(Node.REPLICA2, "SELECT count(*) FROM (SELECT pg_promote(true, 60)) p");
        String onThePrimary = ClusterRestartIT.acknowledgedWrite(cluster, Node.PRIMARY);   // replica1 acknowledged it

        TestCluster.CliResult up = cluster.attempt("up");

        assertThat(up.ok()).as(up.output()).isFalse();
        assertThat(up.output()).contains("split brain: replica1 holds", "a person must choose")
                .doesNotContain("Stop it now: bin/cluster stop primary; then: bin/cluster rejoin primary");
        assertThat(ClusterRestartIT.stored(cluster, Node.PRIMARY, onThePrimary)).as("the acknowledged write").isEqualTo(1);
        assertThat(cluster.role(Node.PRIMARY)).isEqualTo("primary");
    }

    private static String show(Node node, String setting) throws SQLException {
        try (Connection c = cluster.superuser(node); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
