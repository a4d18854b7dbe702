package ru.otus.socialnet.routing.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.PGConnection;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import ru.otus.socialnet.SocialNetApplication;
import ru.otus.socialnet.consistency.ConsistencyToken;
import ru.otus.socialnet.routing.consistency.CommitPosition;
import ru.otus.socialnet.routing.consistency.ConsistencyContext;
import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ClusterTest;
import ru.otus.socialnet.testsupport.RoutingHealth;
import ru.otus.socialnet.testsupport.TestCluster;

/**
 * Consistency tokens at the edges of a failover (issue 24, point 4), on a cluster of its own:
 * <ol>
 *   <li>a commit whose connection fails right after it (the server answered the COMMIT, then the
 *   session ended) still gets a token — from another connection to the same primary, or, when the
 *   primary died, one saying the position is unknown ({@code <timeline>/0/0}), which only a primary
 *   serves;</li>
 *   <li>a token from a timeline this instance has not seen yet (issued by another instance right
 *   after a failover) makes it probe at once instead of answering 503.</li>
 * </ol>
 * The commit's connection is failed at the exact point by the test — the backend terminated, or the
 * primary killed, after the server answered the COMMIT — since no request can be timed to it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext
class TokenEdgesIT {

    static final TestCluster edges = TestCluster.startNew("token-edges", 30);
    static final String GET_SQL = "FROM users WHERE id";

    /** A second instance whose own probes never run again after it started: its view stays behind. */
    static ConfigurableApplicationContext behind;

    @LocalServerPort
    int port;

    @Autowired
    ClusterMonitor monitor;

    @Autowired
    ClusterPositions positions;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ClusterTest.followingEveryNode(edges, registry);
    }

    @BeforeAll
    static void startTheInstanceThatFallsBehind() {
        behind = new SpringApplicationBuilder(SocialNetApplication.class).run(
                "--server.port=0",
                "--pg.authority.master=" + edges.allAuthorities(),
                "--pg.authority.replica=" + edges.replicaAuthorities(),
                "--pg.database=" + TestCluster.DATABASE,
                "--pg.user=" + TestCluster.APP_USER,
                "--pg.password=" + TestCluster.APP_PASSWORD,
                "--pg.routing.monitor-interval=10m",
                "--pg.routing.token-wait=1s");
    }

    @AfterAll
    static void stop() {
        behind.close();
        edges.wipe();
    }

    @Test
    @Order(1)
    void aCommitWhoseConnectionFailsRightAfterItTakesItsPositionFromAnotherConnection() throws Exception {
        new RoutingHealth(new Api(port), edges).awaitAllServing();
        TestCluster.Node primaryNode = TestCluster.Node.PRIMARY;
        Node primary = monitor.topology().primary();
        ConsistencyToken before;
        try (Connection other = appConnection(primaryNode)) {
            before = CommitPosition.read(other);
        }
        List<ConsistencyToken> issued = commitThen(primary, primaryNode, pid -> terminate(primaryNode, pid));

        assertThat(issued).as("a token for the commit").hasSize(1);
        assertThat(issued.get(0).isPositionUnknown()).isFalse();
        assertThat(issued.get(0).isAfter(before)).as("at or past the commit").isTrue();
        assertThat(unread("other-connection")).isEqualTo(1);
    }

    @Test
    @Order(2)
    void whenThePrimaryDiesRightAfterACommitItsTokenIsServedByAPrimaryOnly() throws Exception {
        Api api = new Api(port);
        String id = api.register("Позиция", "Неизвестна").text("user_id");
        edges.awaitReplicasCaughtUp();
        Node primary = monitor.topology().primary();

        List<ConsistencyToken> issued = commitThen(primary, TestCluster.Node.PRIMARY, pid -> edges.kill(TestCluster.Node.PRIMARY));

        assertThat(issued).as("a token for the commit, though nobody could tell its position").hasSize(1);
        ConsistencyToken unknown = issued.get(0);
        assertThat(unknown).isEqualTo(ConsistencyToken.positionUnknown(1));
        assertThat(unread("position-unknown")).isEqualTo(1);

        // The standbys hold the user, but neither can prove it holds that commit: no read with it.
        assertThat(getWithToken(port, id, null).status()).as("a plain read, from a standby").isEqualTo(200);
        Api.Response refused = getWithToken(port, id, unknown.toString());
        assertThat(refused.status()).as("no primary: no node can prove it has the commit").isEqualTo(503);

        TestCluster.Node promoted = failedOver(api);
        long[] calls = calls(promoted);
        assertThat(getWithToken(port, id, unknown.toString()).status()).isEqualTo(200);
        long[] after = calls(promoted);
        assertThat(after[0] - calls[0]).as("reads with the token on the new primary").isEqualTo(1);
        assertThat(after[1] - calls[1]).as("...and on the standbys").isZero();
    }

    @Test
    @Order(3)
    void aTokenFromATimelineThisInstanceHasNotSeenMakesItProbeAtOnce() {
        Api api = new Api(port);
        failedOver(api);
        Api.Response registered = api.register("Новая", "Линия");
        assertThat(registered.status()).isEqualTo(200);
        String token = registered.header(ConsistencyToken.HEADER);
        assertThat(ConsistencyToken.parse(token).timeline()).as("issued on the timeline after the failover").isEqualTo(2);

        int late = ((WebServerApplicationContext) behind).getWebServer().getPort();
        Api.Response read = getWithToken(late, registered.text("user_id"), token);
        assertThat(read.status()).as("read with a token from a timeline the instance had not seen: %s",
                read.raw().body()).isEqualTo(200);
    }

    /**
     * Commits a transaction on a connection of the application's role to {@code node}, through the
     * service's {@link CommitPosition} with the monitor's fallback, and runs {@code afterCommit} with
     * the backend's pid the moment the server has answered the COMMIT. The tokens issued.
     */
    private List<ConsistencyToken> commitThen(Node primary, TestCluster.Node node,
                                              java.util.function.IntConsumer afterCommit) throws SQLException {
        int timeline = primary.probe().timeline();
        List<ConsistencyToken> issued = new ArrayList<>();
        ConsistencyContext.open(null, issued::add);
        try (Connection app = appConnection(node)) {
            int pid = app.unwrap(PGConnection.class).getBackendPID();
            Connection cutOff = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        Object result;
                        try {
                            result = method.invoke(app, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("commit")) {
                            afterCommit.accept(pid);
                        }
                        return result;
                    });
            Connection reporting = CommitPosition.reporting(cutOff, () -> positions.afterCommit(primary, timeline));
            reporting.setAutoCommit(false);
            try (Statement st = reporting.createStatement()) {
                st.execute("CREATE TEMP TABLE written (x int) ON COMMIT DROP");
            }
            reporting.commit();
        } catch (SQLException e) {
            // closing the dead connection
        } finally {
            ConsistencyContext.close();
        }
        return issued;
    }

    private static Connection appConnection(TestCluster.Node node) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", TestCluster.APP_USER);
        p.setProperty("password", TestCluster.APP_PASSWORD);
        p.setProperty("ApplicationName", "token-edges-test");
        return DriverManager.getConnection("jdbc:postgresql://" + edges.authority(node) + "/" + TestCluster.DATABASE, p);
    }

    private static void terminate(TestCluster.Node node, int pid) {
        edges.queryLong(node, "SELECT count(pg_terminate_backend(" + pid + ", 5000))");
    }

    private double unread(String fallback) {
        Counter c = registry.find("socialnet.routing.commit.positions.unread").tag("fallback", fallback).counter();
        return c == null ? 0 : c.count();
    }

    private static Api.Response getWithToken(int port, String id, String token) {
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/get/" + id)).GET();
        if (token != null) {
            get.header(ConsistencyToken.HEADER, token);
        }
        return new Api(port).send(get);
    }

    /** The node promoted after the first primary died (killed and failed over here, if not already). */
    private static TestCluster.Node failedOver(Api api) {
        if (!"down".equals(edges.role(TestCluster.Node.PRIMARY))) {
            edges.kill(TestCluster.Node.PRIMARY);
        }
        if (edges.control().nodes().stream().noneMatch(n -> n.role().equals("primary"))) {
            edges.control().run("failover");
        }
        TestCluster.Node promoted = nodeNamed(edges.control().primary().name());
        new RoutingHealth(api, edges).await(promoted, "PRIMARY");
        return promoted;
    }

    /** pg_stat_statements calls of the profile read on {@code primary} and on the other nodes together. */
    private static long[] calls(TestCluster.Node primary) {
        long onPrimary = 0;
        long elsewhere = 0;
        for (TestCluster.Node n : TestCluster.Node.values()) {
            if (n == primary) {
                onPrimary = edges.statementCalls(n, GET_SQL);
            } else if (!"down".equals(edges.role(n))) {
                elsewhere += edges.statementCalls(n, GET_SQL);
            }
        }
        return new long[] {onPrimary, elsewhere};
    }

    private static TestCluster.Node nodeNamed(String name) {
        for (TestCluster.Node n : TestCluster.Node.values()) {
            if (n.cliName.equals(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException(name);
    }
}
