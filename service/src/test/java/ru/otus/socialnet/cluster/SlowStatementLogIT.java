package ru.otus.socialnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.SharedServerSettings;
import ru.otus.socialnet.testsupport.StatementStatistics;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Slow statements are still logged (log_min_duration_statement), but never with their bind
 * parameters: a registration that waits 1.5 s on a lock must not write the user's name,
 * biography or password hash into postgres.log (log_parameter_max_length = 0, and
 * log_parameter_max_length_on_error = 0 for failed statements; cluster/pg-functions.sh).
 *
 * <p>The lock is the one on the id sequence, taken by the INSERT while it executes (a lock on the
 * table would be met while the statement is parsed, a step that is logged without parameters, and
 * the test could not fail).
 */
class SlowStatementLogIT extends ReplicatedServiceTest {

    /** The registration must wait longer than log_min_duration_statement (1 s); writes give up on a lock after 1 s. */
    @DynamicPropertySource
    static void slowEnoughToBeLogged(DynamicPropertyRegistry registry) {
        registry.add("pg.timeouts.write-lock", () -> "10s");
    }

    @Test
    void everyNodeRunsWithoutParameterLogging() {
        for (Node node : Node.values()) {
            assertThat(cluster.queryLong(node, "SELECT setting::int FROM pg_settings WHERE name = 'log_parameter_max_length'"))
                    .as("log_parameter_max_length on %s", node).isZero();
            assertThat(cluster.queryLong(node,
                    "SELECT setting::int FROM pg_settings WHERE name = 'log_parameter_max_length_on_error'"))
                    .as("log_parameter_max_length_on_error on %s", node).isZero();
            assertThat(cluster.queryLong(node,
                    "SELECT setting::int FROM pg_settings WHERE name = 'log_min_duration_statement'"))
                    .as("slow statements are still logged on %s", node).isPositive();
        }
    }

    /** Every node shows every setting of cluster/postgresql.shared.conf (PatroniFailoverIT checks Patroni's). */
    @Test
    void everyNodeRunsWithTheSharedSettings() throws Exception {
        for (Node node : Node.values()) {
            try (Connection c = cluster.superuser(node)) {
                SharedServerSettings.assertRunsWithThem(c, node + " of the local cluster");
            }
        }
    }

    /** The bootstrap's CREATE ROLE ... PASSWORD was kept in pg_stat_statements, which the application's role reads. */
    @Test
    void noNodeKeepsAPasswordInItsStatementStatistics() throws Exception {
        for (Node node : Node.values()) {
            try (Connection c = cluster.superuser(node)) {
                StatementStatistics.assertNoPasswords(c, node + " of the local cluster");
            }
        }
    }

    @Test
    void aSlowRegistrationLeavesNoPersonalDataInThePrimaryLog() throws Exception {
        String first = unique("Медленный");
        String biography = unique("Секретная биография ");
        Map<String, Object> body = Api.user(first, "Логов");
        body.put("biography", biography);
        Path log = primaryLog();
        long logStart = Files.size(log);

        Api.Response registered;
        try (Connection locker = cluster.superuser(Node.PRIMARY)) {
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                // ALTER SEQUENCE holds the sequence's AccessExclusiveLock until this transaction ends:
                // the INSERT's nextval() waits for it in the execute step, which carries the parameters.
                st.execute("ALTER SEQUENCE users_id_seq INCREMENT BY 1");
            }
            CompletableFuture<Api.Response> registration = CompletableFuture.supplyAsync(
                    () -> api.postJson("/user/register", body));
            awaitInsertWaitingOnLockFor(1_500);
            locker.rollback();
            registered = registration.get(30, TimeUnit.SECONDS);
        }
        assertThat(registered.status()).isEqualTo(200);
        String hash = passwordHash(registered.text("user_id"));

        String written = readFrom(log, logStart);
        assertThat(written).as("the slow INSERT is logged (so the test made it slow enough)")
                .containsPattern("duration: [0-9.]+ ms  execute [^:]*: INSERT INTO users");
        assertThat(written).as("postgres.log").doesNotContain(first).doesNotContain(biography).doesNotContain(hash)
                .doesNotContain("parameters: $1");
    }

    private void awaitInsertWaitingOnLockFor(long millis) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Connection c = cluster.superuser(Node.PRIMARY);
             PreparedStatement st = c.prepareStatement("""
                     SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start) * 1000), -1)
                       FROM pg_stat_activity
                      WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO users%'""")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getDouble(1) >= millis) {
                        return;
                    }
                }
                TestCluster.sleep(50);
            }
        }
        throw new IllegalStateException("no registration waited on the lock for " + millis + " ms");
    }

    private String passwordHash(String id) throws SQLException {
        try (Connection c = cluster.superuser(Node.PRIMARY);
             PreparedStatement st = c.prepareStatement("SELECT password_hash FROM users WHERE id = ?")) {
            st.setLong(1, Long.parseLong(id));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** The primary's log: NODE/postgres.log, next to its data directory. */
    private Path primaryLog() throws SQLException {
        try (Connection c = cluster.superuser(Node.PRIMARY); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('data_directory')")) {
            rs.next();
            return Path.of(rs.getString(1)).getParent().resolve("postgres.log");
        }
    }

    private static String readFrom(Path file, long offset) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[(int) (in.length() - offset)];
            in.seek(offset);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
