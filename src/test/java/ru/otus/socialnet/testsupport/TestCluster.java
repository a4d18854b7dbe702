package ru.otus.socialnet.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real cluster the tests run against: a primary and two streaming replicas, started once per
 * test JVM by {@code bin/cluster} (the same script users run) and wiped when the JVM exits.
 * It listens on its own ports (25432-25434 by default) so it never touches a developer's cluster.
 */
public final class TestCluster {

    public enum Node {
        PRIMARY("primary", 0), REPLICA1("replica1", 1), REPLICA2("replica2", 2);

        public final String cliName;
        final int offset;

        Node(String cliName, int offset) {
            this.cliName = cliName;
            this.offset = offset;
        }
    }

    public static final String DATABASE = "socialnet";
    public static final String APP_USER = "socialnet";
    public static final String APP_PASSWORD = "socialnet";
    private static final String SUPERUSER_PASSWORD = "postgres";

    private static TestCluster instance;

    private final Path repo;
    private final Path dir;
    private final int basePort;

    private TestCluster(Path repo, Path dir, int basePort) {
        this.repo = repo;
        this.dir = dir;
        this.basePort = basePort;
    }

    /** The shared cluster, started (from scratch) on first use in this JVM. */
    public static synchronized TestCluster get() {
        if (instance == null) {
            instance = startNew("test-cluster", 0);
        }
        return instance;
    }

    /**
     * A cluster of its own, for tests that change its topology (a failover drill): in
     * {@code target/NAME}, on the shared cluster's ports + {@code portOffset}. Wiped at JVM exit,
     * or earlier by {@link #wipe()}.
     */
    public static TestCluster startNew(String name, int portOffset) {
        Path repo = Path.of("").toAbsolutePath();
        int port = Integer.parseInt(System.getProperty("test.cluster.port",
                System.getenv().getOrDefault("TEST_CLUSTER_PORT", "25432"))) + portOffset;
        TestCluster cluster = new TestCluster(repo, repo.resolve("target/" + name), port);
        cluster.cli("wipe");
        long start = System.nanoTime();
        cluster.cli("up");
        System.out.printf("%s up in %.1f s%n", name, (System.nanoTime() - start) / 1e9);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::wipe));
        return cluster;
    }

    /** Stops every node and deletes the data. */
    public void wipe() {
        cli("wipe");
    }

    /** The environment bin/cluster needs to address this cluster. */
    public Map<String, String> cliEnvironment() {
        return Map.of("PGCLUSTER_DIR", dir.toString(), "PGCLUSTER_PORT", Integer.toString(basePort));
    }

    /** Every node as a candidate primary, the way the service is configured to follow a failover. */
    public String allAuthorities() {
        return authority(Node.PRIMARY) + "," + replicaAuthorities();
    }

    public int port(Node node) {
        return basePort + node.offset;
    }

    public String authority(Node node) {
        return "127.0.0.1:" + port(node);
    }

    public String replicaAuthorities() {
        return authority(Node.REPLICA1) + "," + authority(Node.REPLICA2);
    }

    /** Runs {@code bin/cluster ARGS} against this cluster; fails the test when it fails. */
    public String cli(String... args) {
        return cli(Map.of(), args);
    }

    /** {@link #cli(String...)} with extra environment variables (PG_SYNC_MODE, say). */
    public String cli(Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>(List.of(repo.resolve("bin/cluster").toString()));
        command.addAll(List.of(args));
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.putAll(cliEnvironment());
        return run(command, env, "bin/cluster " + String.join(" ", args));
    }

    private static String run(List<String> command, String what) {
        return run(command, Map.of(), what);
    }

    private static String run(List<String> command, Map<String, String> env, String what) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " timed out\n" + out);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void stop(Node node) {
        cli("stop", node.cliName);
    }

    public void start(Node node) {
        cli("start", node.cliName);
    }

    /** kill -9 of the node's postmaster and its processes, as a crash. */
    public void kill(Node node) {
        cli("kill", node.cliName);
    }

    /** SIGSTOP of every process of the node: it hangs (connections open, nothing answers). */
    public void pause(Node node) {
        cli("pause", node.cliName);
    }

    /** SIGCONT: the node answers again. */
    public void resume(Node node) {
        cli("resume", node.cliName);
    }

    /**
     * Starts the node with plain {@code pg_ctl start}, past bin/cluster's guard against a stale
     * former primary: the operator's mistake the service itself must survive.
     */
    public void startBypassingTheGuard(Node node) {
        Path data = dir.resolve(node.cliName).resolve("data");
        List<String> command = new ArrayList<>(List.of("pg_ctl", "-D", data.toString(), "-l",
                dir.resolve(node.cliName).resolve("postgres.log").toString(), "-w", "start"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(0, List.of("runuser", "-u", "postgres", "--", "env",
                    "PATH=/usr/lib/postgresql/15/bin:" + System.getenv("PATH")));
        } else {
            command.addAll(0, List.of("env", "PATH=/usr/lib/postgresql/15/bin:" + System.getenv("PATH")));
        }
        run(command, "pg_ctl start " + node.cliName);
    }

    /** Runs one statement on the node as the superuser. */
    public void execute(Node node, String sql) {
        try (Connection c = superuser(node); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(node + ": " + e.getMessage(), e);
        }
    }

    /** A superuser connection to one node (for the servers' own counters and admin functions). */
    public Connection superuser(Node node) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + authority(node) + "/" + DATABASE,
                "postgres", SUPERUSER_PASSWORD);
    }

    /** A single number from one node, e.g. {@code SELECT count(*) ...}. */
    public long queryLong(Node node, String sql) {
        try (Connection c = superuser(node); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(node + ": " + e.getMessage(), e);
        }
    }

    /**
     * How many times this node executed statements whose text contains {@code fragment}, from its
     * own pg_stat_statements: the server's word for where a query ran, not the router's.
     */
    public long statementCalls(Node node, String fragment) {
        String escaped = fragment.replace("'", "''");
        return queryLong(node, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%"
                + escaped.replace("%", "\\%").replace("_", "\\_") + "%'");
    }

    /** Waits until both replicas have replayed everything the primary has written so far. */
    public void awaitReplicasCaughtUp() {
        awaitCaughtUp(Node.PRIMARY);
    }

    /** Waits until two standbys stream from {@code primary} and have replayed all it wrote so far. */
    public void awaitCaughtUp(Node primary) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            long behind = queryLong(primary, """
                    SELECT count(*) FROM pg_stat_replication
                     WHERE state <> 'streaming' OR replay_lsn < pg_current_wal_lsn()""");
            long streaming = queryLong(primary, "SELECT count(*) FROM pg_stat_replication");
            if (behind == 0 && streaming == 2) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("replicas did not catch up in 20 s:\n" + cli("status"));
    }

    public Path dir() {
        return dir;
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
