package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.SocialNetApplication;
import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * A service started while no primary answers (the cluster still starting, a failover under way, a
 * machine too busy for the first probe). A schema that needs a migration waits for a primary,
 * bounded, instead of dying at once: the failover drill's service died so on a loaded machine. A
 * schema that is already current — a standby shows it, read-only — does not wait at all: the
 * service serves the reads the standbys can serve and migrates once a primary answers (issue 24,
 * point 3: before, it served nothing and exited after migration-primary-wait).
 */
class StartupIT {

    static final TestCluster cluster = TestCluster.get();

    /** A database with no schema: it truly needs a migration. */
    static final String FRESH = "startup_fresh";

    @AfterEach
    void primaryRunsAgain() {
        if (!"primary".equals(cluster.role(Node.PRIMARY))) {
            cluster.start(Node.PRIMARY);
        }
    }

    @Test
    void aServiceWhoseSchemaNeedsAMigrationWaitsForItsPrimaryAndServes() throws Exception {
        freshDatabase();
        cluster.stop(Node.PRIMARY);
        CompletableFuture<ConfigurableApplicationContext> starting =
                CompletableFuture.supplyAsync(() -> service(FRESH, "60s"));
        TestCluster.sleep(3_000);
        assertThat(starting).as("still waiting for a primary").isNotDone();
        cluster.start(Node.PRIMARY);
        try (ConfigurableApplicationContext service = starting.get(60, TimeUnit.SECONDS)) {
            assertThat(new Api(port(service)).register("Старт", "Раньше").status()).isEqualTo(200);
        }
    }

    @Test
    void withoutAPrimaryASchemaThatNeedsAMigrationGivesUpStartingWithinItsBound() {
        freshDatabase();
        cluster.stop(Node.PRIMARY);
        long start = System.nanoTime();
        assertThatThrownBy(() -> service(FRESH, "2s").close()).hasStackTraceContaining("no primary to migrate");
        // A context start on a loaded machine takes 10-15 s by itself: the bound is "gives up", not "fast".
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until it gave up").isLessThan(45_000);
    }

    @Test
    void aServiceWhoseSchemaIsCurrentStartsWithoutAPrimaryServesReadsAndMigratesWhenOneAnswers() throws Exception {
        String id;
        try (ConfigurableApplicationContext first = service(TestCluster.DATABASE, "60s")) {
            Api.Response r = new Api(port(first)).register("Текущая", "Схема");
            assertThat(r.status()).isEqualTo(200);
            id = r.text("user_id");
        }
        cluster.awaitReplicasCaughtUp();
        cluster.stop(Node.PRIMARY);

        long start = System.nanoTime();
        CompletableFuture<ConfigurableApplicationContext> starting =
                CompletableFuture.supplyAsync(() -> service(TestCluster.DATABASE, "60s"));
        try (ConfigurableApplicationContext service = starting.get(30, TimeUnit.SECONDS)) {
            System.out.printf("StartupIT: with no primary, serving after %d ms%n", (System.nanoTime() - start) / 1_000_000);
            Api api = new Api(port(service));
            assertThat(api.get("/readyz").status()).isEqualTo(200);
            assertThat(api.get("/user/get/" + id).status()).as("a read the standbys serve").isEqualTo(200);
            assertThat(api.get("/user/search", Map.of("first_name", "Тек", "last_name", "Сх")).status()).isEqualTo(200);
            Api.Response write = api.register("Без", "Первичного");
            assertThat(write.status()).as("no primary: writes wait for one").isEqualTo(503);
            JsonNode schema = schema(api);
            assertThat(schema.path("details").path("verified").asString()).contains("read-only");
            assertThat(schema.path("details").path("migration_owed").asBoolean()).isTrue();

            cluster.start(Node.PRIMARY);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (schema(api).path("details").path("migration_owed").asBoolean() && System.nanoTime() < deadline) {
                TestCluster.sleep(200);
            }
            assertThat(schema(api).path("details").path("verified").asString()).as("migrated once a primary answered")
                    .contains("migrated on " + cluster.authority(Node.PRIMARY));
            assertThat(api.register("С", "Первичным").status()).isEqualTo(200);
        }
    }

    /** {@link #FRESH} dropped and created again, empty, on every node. */
    private static void freshDatabase() {
        cluster.execute(Node.PRIMARY, "DROP DATABASE IF EXISTS " + FRESH + " WITH (FORCE)");
        cluster.execute(Node.PRIMARY, "CREATE DATABASE " + FRESH + " OWNER " + TestCluster.APP_USER);
        cluster.awaitReplicasCaughtUp();
    }

    private static JsonNode schema(Api api) {
        return api.get("/actuator/health").json().path("components").path("schema");
    }

    private static int port(ConfigurableApplicationContext service) {
        return ((WebServerApplicationContext) service).getWebServer().getPort();
    }

    private static ConfigurableApplicationContext service(String database, String wait) {
        return new SpringApplicationBuilder(SocialNetApplication.class).run(
                "--server.port=0",
                "--pg.authority.master=" + cluster.authority(Node.PRIMARY),
                "--pg.authority.replica=" + cluster.replicaAuthorities(),
                "--pg.database=" + database,
                "--pg.user=" + TestCluster.APP_USER,
                "--pg.password=" + TestCluster.APP_PASSWORD,
                "--pg.routing.migration-primary-wait=" + wait);
    }
}
