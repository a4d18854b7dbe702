package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * What a read costs the standby, by the standby's own count, and what it sees. A one-statement read
 * is one round trip: the statement, without BEGIN and COMMIT around it. A read of several statements
 * runs them all on one node; under the default isolation each sees the data as of its own start (as
 * in a READ COMMITTED transaction block), and a read that declares REPEATABLE READ sees one snapshot
 * throughout.
 */
class ReadRoundTripsIT extends ClusterTest {

    static final String BEGIN = "BEGIN READ ONLY";

    /** Where each of two statements ran and how many users with a name it counted. */
    record Seen(int firstPort, long first, int secondPort, long second) {
    }

    /** Reads of two statements, with something happening between them. */
    static class TwoStatementReads {
        private final JdbcClient jdbc;

        TwoStatementReads(JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        @Transactional(readOnly = true)
        public Seen statementByStatement(String firstName, Runnable between) {
            return twice(firstName, between);
        }

        @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
        public Seen inOneSnapshot(String firstName, Runnable between) {
            return twice(firstName, between);
        }

        private Seen twice(String firstName, Runnable between) {
            long[] first = count(firstName);
            between.run();
            long[] second = count(firstName);
            return new Seen((int) first[0], first[1], (int) second[0], second[1]);
        }

        private long[] count(String firstName) {
            return jdbc.sql("SELECT inet_server_port(), count(*) FROM users WHERE first_name = :name")
                    .param("name", firstName)
                    .query((rs, row) -> new long[] {rs.getInt(1), rs.getLong(2)})
                    .single();
        }
    }

    @TestConfiguration
    static class Config {
        @Bean
        TwoStatementReads twoStatementReads(JdbcClient jdbc) {
            return new TwoStatementReads(jdbc);
        }
    }

    @Autowired
    TwoStatementReads reads;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        withReplicas(registry);
    }

    @Test
    void aOneStatementReadIsOneRoundTripNoBeginNoCommit() {
        String id = api.register(unique("Круг"), "Рейсов").text("user_id");
        cluster.awaitReplicasCaughtUp();
        long begins = begins();
        long searches = onReplicas(ReadWriteRoutingIT.SEARCH_SQL);
        long gets = onReplicas(ReadWriteRoutingIT.GET_SQL);
        for (int i = 0; i < 20; i++) {
            assertThat(api.get("/user/search", Map.of("first_name", "Кр", "last_name", "Ре")).status()).isEqualTo(200);
            assertThat(api.get("/user/get/" + id).status()).isEqualTo(200);
        }
        assertThat(onReplicas(ReadWriteRoutingIT.SEARCH_SQL) - searches).isEqualTo(20);
        assertThat(onReplicas(ReadWriteRoutingIT.GET_SQL) - gets).isEqualTo(20);
        // pgjdbc sends a COMMIT only to end a block it began: no BEGIN, no COMMIT.
        assertThat(begins() - begins).as("BEGINs sent to the standbys by 40 reads").isZero();
    }

    @Test
    void theStatementsOfOneReadRunOnOneNodeEachSeeingTheDataAsOfItsStart() {
        String name = unique("Снимок");
        Seen seen = reads.statementByStatement(name, () -> registerAndReplicate(name));
        assertThat(seen.secondPort()).as("the same node").isEqualTo(seen.firstPort());
        assertThat(seen.firstPort()).isIn(cluster.port(Node.REPLICA1), cluster.port(Node.REPLICA2));
        assertThat(seen.first()).isZero();
        assertThat(seen.second()).as("a user replicated between the statements").isEqualTo(1);
    }

    @Test
    void aReadThatDeclaresRepeatableReadSeesOneSnapshot() {
        String name = unique("Снимок");
        long begins = begins();
        Seen seen = reads.inOneSnapshot(name, () -> registerAndReplicate(name));
        assertThat(seen.secondPort()).isEqualTo(seen.firstPort());
        assertThat(seen.firstPort()).isIn(cluster.port(Node.REPLICA1), cluster.port(Node.REPLICA2));
        assertThat(seen.first()).isZero();
        assertThat(seen.second()).as("the user replicated between the statements is not in the snapshot").isZero();
        assertThat(begins() - begins).as("a transaction block").isEqualTo(1);
    }

    private void registerAndReplicate(String firstName) {
        assertThat(api.register(firstName, "Снимков").status()).isEqualTo(200);
        cluster.awaitReplicasCaughtUp();
    }

    private static long begins() {
        return onReplicas(BEGIN);
    }

    private static long onReplicas(String fragment) {
        return cluster.statementCalls(Node.REPLICA1, fragment) + cluster.statementCalls(Node.REPLICA2, fragment);
    }
}
