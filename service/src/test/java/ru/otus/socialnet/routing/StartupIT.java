package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import ru.otus.socialnet.SocialNetApplication;
import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * A service started while no primary answers (the cluster still starting, a failover under way, a
 * machine too busy for the first probe) waits for one, bounded, instead of dying at its migrations:
 * the failover drill's service died so on a loaded machine.
 */
class StartupIT {

    static final TestCluster cluster = TestCluster.get();

    @AfterEach
    void primaryRunsAgain() {
        if (!"primary".equals(cluster.role(Node.PRIMARY))) {
            cluster.start(Node.PRIMARY);
        }
    }

    @Test
    void aServiceStartedBeforeItsPrimaryWaitsForItAndServes() throws Exception {
        cluster.stop(Node.PRIMARY);
        CompletableFuture<ConfigurableApplicationContext> starting = CompletableFuture.supplyAsync(() -> service("60s"));
        TestCluster.sleep(3_000);
        assertThat(starting).as("still waiting for a primary").isNotDone();
        cluster.start(Node.PRIMARY);
        try (ConfigurableApplicationContext service = starting.get(60, TimeUnit.SECONDS)) {
            int port = ((WebServerApplicationContext) service).getWebServer().getPort();
            assertThat(new Api(port).register("Старт", "Раньше").status()).isEqualTo(200);
        }
    }

    @Test
    void withoutAPrimaryItGivesUpStartingWithinItsBound() {
        cluster.stop(Node.PRIMARY);
        long start = System.nanoTime();
        assertThatThrownBy(() -> service("2s").close()).hasStackTraceContaining("no primary to migrate");
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until it gave up").isLessThan(20_000);
    }

    private static ConfigurableApplicationContext service(String wait) {
        return new SpringApplicationBuilder(SocialNetApplication.class).run(
                "--server.port=0",
                "--pg.authority.master=" + cluster.authority(Node.PRIMARY),
                "--pg.authority.replica=" + cluster.replicaAuthorities(),
                "--pg.database=" + TestCluster.DATABASE,
                "--pg.user=" + TestCluster.APP_USER,
                "--pg.password=" + TestCluster.APP_PASSWORD,
                "--pg.routing.migration-primary-wait=" + wait);
    }
}
