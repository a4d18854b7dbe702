package ru.otus.socialnet.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * One compose container without Docker: {@code docker/pg-node.sh} (the PostgreSQL services'
 * entrypoint, unchanged) run on this machine, as the server's OS user, for one node of a
 * {@link TestCluster} laid out like bin/cluster's — with the environment compose gives it, except
 * that the peers are 127.0.0.1 ports instead of host names. Each node decides on its own port +
 * {@value #DECIDE_OFFSET} (compose: 5433 on every host).
 */
public final class ComposeNode {

    static final int DECIDE_OFFSET = 5;

    private final TestCluster cluster;
    private final Node node;
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    private Process process;
    private Path log;
    private int runs;

    public ComposeNode(TestCluster cluster, Node node) {
        this.cluster = cluster;
        this.node = node;
    }

    /** An extra variable for the next runs (PG_SYNC_MODE, PG_PEER_WAIT...). */
    public ComposeNode env(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    /** The port the node decides on before it may start as a primary. */
    public int decidePort() {
        return cluster.port(node) + DECIDE_OFFSET;
    }

    /** Starts {@code pg-node.sh ARGS} in the background, as the container's main process. */
    public ComposeNode start(String... args) {
        // The last one ends on its own once its server was stopped or killed.
        try {
            if (process != null && !process.waitFor(15, TimeUnit.SECONDS)) {
                throw new IllegalStateException(node + ": the entrypoint still runs:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        try {
            log = cluster.dir().resolve(node.cliName + "-entrypoint-" + (++runs) + ".log");
            process = builder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return this;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code pg-node.sh ARGS} to its end (a subcommand, like a docker compose run). */
    public TestCluster.CliResult run(Duration timeout, String... args) {
        try {
            Path out = cluster.dir().resolve(node.cliName + "-run-" + (++runs) + ".log");
            Process p = builder(args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new IllegalStateException("pg-node.sh " + String.join(" ", args) + " timed out:\n" + Files.readString(out));
            }
            return new TestCluster.CliResult(p.exitValue(), Files.readString(out));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What the running (or last) entrypoint printed so far. */
    public String output() {
        try {
            return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Waits until the output contains TEXT; fails with the output after TIMEOUT. */
    public void awaitOutput(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(node + " did not print '" + text + "' in " + timeout + ":\n" + output());
            }
            TestCluster.sleep(100);
        }
    }

    /** SIGTERM to the entrypoint and all it started (docker stop), then SIGKILL after 20 s. */
    public void stop() {
        if (process != null) {
            kill(process);
        }
    }

    private static void kill(Process p) {
        List<ProcessHandle> all = Stream.concat(p.descendants(), Stream.of(p.toHandle())).toList();
        all.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                all.forEach(ProcessHandle::destroyForcibly);
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ProcessBuilder builder(String... args) throws IOException {
        Path repo = Path.of("").toAbsolutePath();
        Path nodeDir = cluster.nodeDir(node);
        // The volume: a directory the server's OS user owns, as the image's data volume is.
        Files.createDirectories(nodeDir);
        if (isRoot()) {
            UserPrincipalLookupService users = nodeDir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(nodeDir, users.lookupPrincipalByName("postgres"));
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PG_FUNCTIONS", repo.resolve("cluster/pg-functions.sh").toString());
        env.put("PG_NODE_DIR", nodeDir.toString());
        env.put("PG_PORT", Integer.toString(cluster.port(node)));
        env.put("PG_DECIDE_PORT", Integer.toString(decidePort()));
        env.put("PG_PEERS", Stream.of(Node.values()).filter(n -> n != node)
                .map(n -> "127.0.0.1:" + cluster.port(n) + ":" + (cluster.port(n) + DECIDE_OFFSET))
                .collect(Collectors.joining(" ")));
        env.put("PG_PRIMARY_HOST", "127.0.0.1");
        env.put("PG_PRIMARY_PORT", Integer.toString(cluster.port(Node.PRIMARY)));
        env.put("PG_LISTEN", "127.0.0.1");
        env.put("PG_HBA_NET", "127.0.0.1/32");
        if (node != Node.PRIMARY) {
            env.put("PG_NODE_NAME", node.cliName);
        }
        env.putAll(extraEnv);
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add("env");
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.addAll(List.of("bash", repo.resolve("docker/pg-node.sh").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
