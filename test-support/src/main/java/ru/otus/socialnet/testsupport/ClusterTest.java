package ru.otus.socialnet.testsupport;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Base of the tests that run the service on a random port against the real {@link TestCluster}.
 * Subclasses declare a {@code @DynamicPropertySource} calling {@link #withReplicas} or
 * {@link #primaryOnly}: the two configurations of the classic experiment.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ClusterTest {

    protected static final TestCluster cluster = TestCluster.get();

    @LocalServerPort
    protected int port;

    protected Api api;

    /**
     * Every test starts from a cluster the service sees whole: writable, both standbys reading. An
     * earlier test (in this context or another) may have stopped, killed or hung nodes; they are
     * running again, but this service may not have re-probed them yet.
     */
    @BeforeEach
    void connectClientToAServingCluster() {
        api = new Api(port);
        new RoutingHealth(api, cluster).awaitAllServing();
    }

    /** Reads on both replicas (PG_AUTHORITY_REPLICA lists them). */
    protected static void withReplicas(DynamicPropertyRegistry registry) {
        common(registry);
        registry.add("pg.authority.replica", cluster::replicaAuthorities);
    }

    /** Reads on the primary (PG_AUTHORITY_REPLICA empty). */
    protected static void primaryOnly(DynamicPropertyRegistry registry) {
        common(registry);
        registry.add("pg.authority.replica", () -> "");
    }

    /**
     * The service on a cluster of its own ({@code c}), configured the way {@code bin/cluster env}
     * configures it: every node may be the primary, the replicas read.
     */
    public static void followingEveryNode(TestCluster c, DynamicPropertyRegistry registry) {
        registry.add("pg.authority.master", c::allAuthorities);
        registry.add("pg.authority.replica", c::replicaAuthorities);
        credentials(registry);
    }

    private static void common(DynamicPropertyRegistry registry) {
        registry.add("pg.authority.master", () -> cluster.authority(TestCluster.Node.PRIMARY));
        credentials(registry);
    }

    private static void credentials(DynamicPropertyRegistry registry) {
        registry.add("pg.database", () -> TestCluster.DATABASE);
        registry.add("pg.user", () -> TestCluster.APP_USER);
        registry.add("pg.password", () -> TestCluster.APP_PASSWORD);
    }

    /** Rows of {@code table} (users, auth_tokens) on the primary: what requests really stored. */
    protected static long rowsOnPrimary(String table) {
        return cluster.queryLong(TestCluster.Node.PRIMARY, "SELECT count(*) FROM " + table);
    }

    /** A fresh prefix per call, so tests do not see each other's users. */
    protected static String unique(String prefix) {
        StringBuilder sb = new StringBuilder(prefix);
        String letters = "абвгдежзиклмнопрстуфхцчшэюя";
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 8; i++) {
            sb.append(letters.charAt(r.nextInt(letters.length())));
        }
        return sb.toString();
    }
}
