package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Health an orchestrator can act on: liveness never depends on a database (restarting the service
 * cures no database), readiness is UP while reads can be served (so a failover does not take a
 * working read path out), and the write side is a component of its own, with its reason.
 */
class HealthProbesIT extends ReplicatedServiceTest {

    @AfterEach
    void restore() {
        for (Node node : Node.values()) {
            cluster.start(node);
        }
        cluster.awaitReplicasCaughtUp();
        new RoutingHealth(api, cluster).awaitAllServing();
    }

    @Test
    void withThePrimaryDownTheServiceIsLiveAndReadyAndSaysWhyItCannotWrite() {
        cluster.stop(Node.PRIMARY);
        JsonNode writes = awaitComponent("writes", "DOWN");
        assertThat(writes.path("details").path("reason").asString()).contains("no primary");
        assertThat(api.get("/actuator/health/liveness").status()).isEqualTo(200);
        Api.Response ready = api.get("/actuator/health/readiness");
        assertThat(ready.status()).as("reads are served by the standbys").isEqualTo(200);
        assertThat(ready.json().path("components").path("reads").path("status").asString()).isEqualTo("UP");
        assertThat(api.get("/livez").status()).isEqualTo(200);
        assertThat(api.get("/readyz").status()).isEqualTo(200);
        assertThat(api.get("/actuator/health").status()).as("the whole picture: writes are down").isEqualTo(503);
    }

    @Test
    void withEveryNodeDownTheServiceIsLiveButNotReady() {
        for (Node node : Node.values()) {
            cluster.stop(node);
        }
        awaitComponent("reads", "DOWN");
        assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(503);
        assertThat(api.get("/actuator/health/liveness").status()).as("a restart would cure nothing").isEqualTo(200);
    }

    private JsonNode awaitComponent(String name, String status) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode component = null;
        while (System.nanoTime() < deadline) {
            component = api.get("/actuator/health").json().path("components").path(name);
            if (status.equals(component.path("status").asString())) {
                return component;
            }
            TestCluster.sleep(100);
        }
        throw new AssertionError(name + " is not " + status + ": " + component);
    }
}
