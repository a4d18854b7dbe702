package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Migrations are not requests: one that runs longer than the requests' socket and lock bounds (an
 * index built on a million rows) must still finish, or the service could not start on a grown
 * database. Here the write bounds are tiny and a test migration sleeps past them.
 */
class MigrationIT extends ClusterTest {

    static final String DATABASE = "slow_migrations";

    static {
        if (cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM pg_database WHERE datname = '" + DATABASE + "'") == 0) {
            cluster.execute(Node.PRIMARY, "CREATE DATABASE " + DATABASE + " OWNER socialnet");
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        withReplicas(registry);
        registry.add("pg.database", () -> DATABASE);
        registry.add("pg.timeouts.write-socket", () -> "500ms");
        registry.add("pg.timeouts.write-lock", () -> "100ms");
        registry.add("spring.flyway.locations", () -> "classpath:db/migration,classpath:db/slow-test-migration");
    }

    @Test
    void aMigrationLongerThanAnyRequestMayTakeFinishes() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + cluster.authority(Node.PRIMARY) + "/"
                + DATABASE, "postgres", "postgres");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT success, execution_time FROM flyway_schema_history WHERE version = '900'")) {
            assertThat(rs.next()).as("the slow migration ran").isTrue();
            assertThat(rs.getBoolean(1)).isTrue();
            assertThat(rs.getInt(2)).as("ms it took").isGreaterThan(1_000);
        }
        assertThat(api.register("Миграция", "Долгая").status()).as("the service started and writes").isEqualTo(200);
    }
}
