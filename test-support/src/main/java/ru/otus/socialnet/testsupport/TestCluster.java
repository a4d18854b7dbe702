package ru.otus.socialnet.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import ru.otus.socialnet.cluster.ClusterControl;

/**
 * The real cluster the tests run against: a primary and two streaming replicas, started once per
 * test JVM by {@code bin/cluster} (the same script users run) and wiped when the JVM exits.
 * It listens on its own ports (25432-25434 by default) so it never touches a developer's cluster.
 * A cluster of its own ({@link #startNew(String, int, int)}) may have 1 to 4 replicas, replica1..N
 * on the next ports; its nodes are addressed by name ({@link #nodeNames()}).
 */
public final class TestCluster {

    /** The nodes of a cluster with the default two replicas, by their {@code bin/cluster} names. */
    public enum Node {
        PRIMARY("primary"), REPLICA1("replica1"), REPLICA2("replica2");

        public final String cliName;

        Node(String cliName) {
            this.cliName = cliName;
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
    private final int replicas;
    private final ClusterControl control;

    private TestCluster(Path repo, Path dir, int basePort, int replicas) {
        this.repo = repo;
        this.dir = dir;
        this.basePort = basePort;
        this.replicas = replicas;
        this.control = ClusterControl.capturingStderr(List.of(repo.resolve("bin/cluster").toString()),
                cliEnvironment(), Duration.ofSeconds(180));
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
        return startNew(name, portOffset, 2);
    }

    /**
     * {@link #startNew(String, int)} with REPLICAS standbys (1 to 4, {@code PGCLUSTER_REPLICAS}):
     * its ports are the shared cluster's + {@code portOffset} .. + {@code portOffset + REPLICAS}.
     */
    public static TestCluster startNew(String name, int portOffset, int replicas) {
        TestCluster cluster = empty(name, portOffset, replicas);
        long start = System.nanoTime();
        cluster.cli("up");
        System.out.printf("%s up in %.1f s%n", name, (System.nanoTime() - start) / 1e9);
        return cluster;
    }

    /**
     * Like {@link #startNew} without starting anything: the directory and ports, wiped, for a test
     * that brings its nodes up some other way (the compose entrypoint, say).
     */
    public static TestCluster empty(String name, int portOffset) {
        return empty(name, portOffset, 2);
    }

    private static TestCluster empty(String name, int portOffset, int replicas) {
        Path repo = Path.of("").toAbsolutePath();
        int port = Integer.parseInt(System.getProperty("test.cluster.port",
                System.getenv().getOrDefault("TEST_CLUSTER_PORT", "25432"))) + portOffset;
        TestCluster cluster = new TestCluster(repo, repo.resolve("target/" + name), port, replicas);
        cluster.cli("wipe");
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::wipe));
        return cluster;
    }

    /** What a command printed (stdout and stderr together) and its exit status. */
    public record CliResult(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Stops every node and deletes the data. */
    public void wipe() {
        cli("wipe");
    }

    /** The environment bin/cluster needs to address this cluster. */
    public Map<String, String> cliEnvironment() {
        return Map.of("PGCLUSTER_DIR", dir.toString(), "PGCLUSTER_PORT", Integer.toString(basePort),
                "PGCLUSTER_REPLICAS", Integer.toString(replicas));
    }

    /** The names of the standbys it was created with: replica1 .. replicaN. */
    public List<String> replicaNames() {
        return IntStream.rangeClosed(1, replicas).mapToObj(k -> "replica" + k).toList();
    }

    /** Every node's name, as {@code bin/cluster} knows it: primary, then replica1 .. replicaN. */
    public List<String> nodeNames() {
        return Stream.concat(Stream.of("primary"), replicaNames().stream()).toList();
    }

    /** Every node as a candidate primary, the way the service is configured to follow a failover. */
    public String allAuthorities() {
        return authority(Node.PRIMARY) + "," + replicaAuthorities();
    }

    public int port(Node node) {
        return port(node.cliName);
    }

    /** The port of the node NAME: the primary's, + K for replica K. */
    public int port(String name) {
        int index = nodeNames().indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("no node " + name + " in " + nodeNames());
        }
        return basePort + index;
    }

    public String authority(Node node) {
        return authority(node.cliName);
    }

    public String authority(String name) {
        return "127.0.0.1:" + port(name);
    }

    /** Every standby's authority, comma-separated (PG_AUTHORITY_REPLICA). */
    public String replicaAuthorities() {
        return String.join(",", replicaNames().stream().map(this::authority).toList());
    }

    /**
     * This cluster's {@code bin/cluster}, through the one client of the cluster-command contract:
     * stdout and stderr together (a refusal's reason is what a test checks), 180 s per command.
     */
    public ClusterControl control() {
        return control;
    }

    /** Runs {@code bin/cluster ARGS} against this cluster; fails the test when it fails. */
    public String cli(String... args) {
        return cli(Map.of(), args);
    }

    /** {@link #cli(String...)} with extra environment variables (PG_SYNC_MODE, say). */
    public String cli(Map<String, String> extraEnv, String... args) {
        return control.run(extraEnv, args);
    }

    /** Runs {@code bin/cluster ARGS} and returns what happened, failed or not (a refusal, say). */
    public CliResult attempt(String... args) {
        return attempt(Map.of(), args);
    }

    /** {@link #attempt(String...)} with extra environment variables. */
    public CliResult attempt(Map<String, String> extraEnv, String... args) {
        ClusterControl.Result r = control.attempt(extraEnv, args);
        return new CliResult(r.exitCode(), r.output());
    }

    /**
     * Runs a bash SCRIPT with cluster/pg-functions.sh sourced and set up for this cluster
     * (pg_as_owner, PG_BINDIR...): what an operator might do behind the tools' back.
     */
    public String shell(String script) {
        return withFunctions(cliEnvironment(), "pg_setup_env; " + script);
    }

    /**
     * Runs a bash SCRIPT with cluster/pg-functions.sh sourced (nothing set up) and ENV added: its
     * output, stdout and stderr together; an exception when it fails or runs past 120 s.
     */
    public static String withFunctions(Map<String, String> env, String script) {
        Path output = null;
        try {
            // Output to a file, stdin empty: a step that waits on either cannot outlast the bound.
            output = Files.createTempFile("shell", ".out");
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -Eeuo pipefail; source \"$1\"; " + script,
                    "shell", Path.of("cluster/pg-functions.sh").toAbsolutePath().toString()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(output.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            if (!ended) {
                Stream.concat(p.descendants(), Stream.of(p.toHandle())).forEach(ProcessHandle::destroyForcibly);
            }
            String out = Files.readString(output);
            if (!ended || p.exitValue() != 0) {
                throw new IllegalStateException("shell '" + script + "' " + (ended ? "failed" : "ran past 120 s") + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    /** The node's role as bin/cluster reports it: primary, replica or down. */
    public String role(Node node) {
        return role(node.cliName);
    }

    public String role(String name) {
        return control.nodes().stream().filter(n -> n.name().equals(name)).map(ClusterControl.Node::role)
                .findFirst().orElseThrow(() -> new IllegalStateException("bin/cluster nodes does not list " + name));
    }

    /** The node's directory (node.conf, data/, postgres.log), as bin/cluster lays it out. */
    public Path nodeDir(Node node) {
        return dir.resolve(node.cliName);
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
        cli("start-unguarded", node.cliName);
    }

    /** Runs one statement on the node as the superuser. */
    public void execute(Node node, String sql) {
        execute(node.cliName, sql);
    }

    public void execute(String name, String sql) {
        try (Connection c = superuser(name); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /** A superuser connection to one node (for the servers' own counters and admin functions). */
    public Connection superuser(Node node) throws SQLException {
        return superuser(node.cliName);
    }

    public Connection superuser(String name) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + authority(name) + "/" + DATABASE,
                "postgres", SUPERUSER_PASSWORD);
    }

    /** A single number from one node, e.g. {@code SELECT count(*) ...}. */
    public long queryLong(Node node, String sql) {
        return queryLong(node.cliName, sql);
    }

    public long queryLong(String name, String sql) {
        try (Connection c = superuser(name); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * How many times this node executed statements whose text contains {@code fragment}, from its
     * own pg_stat_statements: the server's word for where a query ran, not the router's.
     */
    public long statementCalls(Node node, String fragment) {
        return statementCalls(node.cliName, fragment);
    }

    public long statementCalls(String name, String fragment) {
        String escaped = fragment.replace("'", "''");
        return queryLong(name, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%"
                + escaped.replace("%", "\\%").replace("_", "\\_") + "%'");
    }

    /** Waits until every replica has replayed everything the primary has written so far. */
    public void awaitReplicasCaughtUp() {
        awaitReplicasCaughtUp(Node.PRIMARY);
    }

    /**
     * Waits until every other node streams from {@code primary} (the primary now, after a failover,
     * say) and has replayed all it wrote so far. A walsender with no replay position is not a
     * standby (pg_basebackup's WAL stream during a clone): it counts as behind.
     */
    public void awaitReplicasCaughtUp(Node primary) {
        awaitReplicasCaughtUp(primary.cliName);
    }

    public void awaitReplicasCaughtUp(String primary) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            // One statement, one snapshot: a standby that connects between two queries is not missed.
            long caughtUp = queryLong(primary, """
                    SELECT CASE WHEN bool_and(coalesce(state = 'streaming' AND replay_lsn >= pg_current_wal_lsn(), false))
                                THEN count(DISTINCT application_name) ELSE -1 END
                      FROM pg_stat_replication""");
            if (caughtUp == replicas) {
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
