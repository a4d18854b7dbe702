package ru.otus.socialnet.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * A cluster re-created under the running service (issue 24, point 2): {@code bin/cluster wipe; bin/cluster
 * up} — the same addresses, a new system identifier, no schema. The service follows the new cluster;
 * it must migrate it before serving it: meanwhile readiness is DOWN and requests get 503 with
 * Retry-After, never a 500 for a missing table. A slow test migration stretches the window.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RecreatedClusterIT {

    static final TestCluster recreated = TestCluster.startNew("recreated-cluster", 20);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ClusterTest.followingEveryNode(recreated, registry);
        registry.add("spring.flyway.locations", () -> "classpath:db/migration,classpath:db/slow-test-migration");
    }

    @AfterAll
    static void wipe() {
        recreated.wipe();
    }

    /** One round of requests while the cluster is re-created. */
    record Sample(long atMs, int ready, boolean schemaDown, int read, int write, boolean retryAfterOnEvery503) {
    }

    @Test
    void aClusterRecreatedUnderTheServiceIsMigratedBeforeItIsServedAndNothingAnswers500() throws Exception {
        Api api = new Api(port);
        new RoutingHealth(api, recreated).awaitAllServing();
        assertThat(api.register("Прежний", "Кластер").status()).isEqualTo(200);
        long before = systemIdentifier();

        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean polling = new AtomicBoolean(true);
        ExecutorService poller = Executors.newSingleThreadExecutor();
        long start = System.currentTimeMillis();
        Future<?> poll = poller.submit(() -> {
            while (polling.get()) {
                samples.add(sample(api, System.currentTimeMillis() - start));
                TestCluster.sleep(100);
            }
            return null;
        });
        recreated.wipe();
        recreated.cli("up");
        long upAt = System.currentTimeMillis() - start;
        assertThat(systemIdentifier()).as("a new cluster").isNotEqualTo(before);
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && !servesAgain(samples)) {
            TestCluster.sleep(200);
        }
        TestCluster.sleep(2_000);
        polling.set(false);
        poll.get(30, TimeUnit.SECONDS);
        poller.shutdown();

        List<Sample> all = List.copyOf(samples);
        System.out.printf("RecreatedClusterIT: cluster up again after %d ms; %d rounds; readiness %s (schema DOWN in %d), "
                + "reads %s, writes %s; first round with a 200 write after up at %s ms%n", upAt, all.size(),
                counts(all, Sample::ready), all.stream().filter(Sample::schemaDown).count(), counts(all, Sample::read),
                counts(all, Sample::write),
                all.stream().filter(s -> s.atMs() > upAt && s.write() == 200).map(Sample::atMs).findFirst().orElse(null));
        assertThat(all).as("no answer is a 500").noneMatch(s -> s.read() == 500 || s.write() == 500);
        assertThat(all).as("every 503 carries Retry-After").allMatch(Sample::retryAfterOnEvery503);
        assertThat(servesAgain(all)).as("serves the new cluster within 60 s").isTrue();
        assertThat(all).as("while the new cluster is being migrated, readiness is DOWN (schema) and requests 503")
                .anyMatch(s -> s.ready() == 503 && s.schemaDown() && s.read() == 503 && s.write() == 503);
        assertThat(all.stream().filter(s -> s.atMs() > upAt && s.ready() == 200 && s.read() != 200).toList())
                .as("rounds after the new cluster was up in which readiness said UP but a read failed").hasSizeLessThan(2);

        Api.Response registered = api.register("Новый", "Кластер");
        assertThat(registered.status()).isEqualTo(200);
        JsonNode schema = api.get("/actuator/health").json().path("components").path("schema");
        assertThat(schema.path("status").asString()).isEqualTo("UP");
        assertThat(schema.path("details").path("verified").asString()).contains("migrated on");
        assertThat(recreated.queryLong(Node.PRIMARY, "SELECT count(*) FROM flyway_schema_history WHERE version = '900'"))
                .as("the same migrations as at start-up, the test's slow one included").isEqualTo(1);
    }

    private static Sample sample(Api api, long atMs) {
        Api.Response ready = api.get("/readyz");
        Api.Response read = api.get("/user/search", Map.of("first_name", "Пр", "last_name", "Кл"));
        Api.Response write = api.register("Пересоздан", "Кластер");
        boolean retryAfter = List.of(read, write).stream()
                .allMatch(r -> r.status() != 503 || r.header("Retry-After") != null);
        boolean schemaDown = ready.json() != null
                && "DOWN".equals(ready.json().path("components").path("schema").path("status").asString());
        return new Sample(atMs, ready.status(), schemaDown, read.status(), write.status(), retryAfter);
    }

    private static boolean servesAgain(List<Sample> samples) {
        synchronized (samples) {
            return !samples.isEmpty() && samples.get(samples.size() - 1).write() == 200
                    && samples.get(samples.size() - 1).read() == 200;
        }
    }

    private static long systemIdentifier() {
        return recreated.queryLong(Node.PRIMARY, "SELECT system_identifier FROM pg_control_system()");
    }

    private static Map<Integer, Long> counts(List<Sample> samples, java.util.function.ToIntFunction<Sample> status) {
        return samples.stream().collect(Collectors.groupingBy(status::applyAsInt, TreeMap::new, Collectors.counting()));
    }
}
