package ru.otus.socialnet.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one Java client of the cluster-command contract, used by the drill, the fault campaign and
 * the tests. A cluster command is {@code bin/cluster} (local processes, also on a network),
 * {@code bin/compose-cluster} (the compose stack, from the host), {@code bin/patroni-cluster} (Patroni),
 * or any other command that keeps this contract:
 * <ul>
 * <li>{@code nodes} prints one line per node: {@code NAME HOST:PORT primary|replica|down};</li>
 * <li>{@code sync async|quorum} switches the commit mode; {@code kill NODE} is a crash
 * ({@code kill -9}); {@code failover} makes a standby the primary after the primary died;
 * {@code rejoin NODE} makes a former primary a streaming standby of the new one; {@code start NODE},
 * {@code stop NODE}, {@code wipe}, {@code up} do what they say;</li>
 * <li>for the fault campaign ({@code bin/chaos}): {@code pause NODE} / {@code resume NODE} (SIGSTOP /
 * SIGCONT), {@code pause-replay NODE} / {@code resume-replay NODE} (a standby receiving WAL, applying
 * none); on a network {@code partition NODE}, {@code delay NODE MS [LOSS%] [DUP%]},
 * {@code lossy NODE LOSS% DUP%}, {@code cut-service NODE} (the service's packets to NODE dropped) and
 * {@code heal [NODE]}; bin/cluster's {@code start-unguarded} and {@code reclone}; bin/patroni-cluster's
 * {@code kill|pause|partition NODE agent|postgres} (one part of a node alone), {@code dcs stop|start},
 * {@code failsafe on|off} and {@code reinit NODE};</li>
 * <li>every step worth a timeline prints {@code event <epoch ms> <text>} on stdout (answers on
 * stdout, progress on stderr);</li>
 * <li>exit 0 is success; anything else a refusal or a failure, explained on stderr.</li>
 * </ul>
 * The caller never reaches into the servers' files itself: every cluster operation has one
 * implementation, in the command (cluster/pg-functions.sh and friends).
 */
public final class ClusterControl {

    /** One line of {@code nodes}: name, host:port, and primary | replica | down. */
    public record Node(String name, String authority, String role) {
    }

    /** One {@code event <epoch ms> <text>} line a subcommand printed. */
    public record Event(long epochMs, String text) {
    }

    /** What a subcommand printed (stdout; with stderr too when this client captures it) and its exit status. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);

    private final List<String> command;
    private final Map<String, String> environment;
    /** Where the subcommands' stderr goes; null: into the captured output, interleaved with stdout. */
    private final ProcessBuilder.Redirect stderr;
    private final Duration timeout;

    public ClusterControl(List<String> command, Map<String, String> environment) {
        this(command, environment, ProcessBuilder.Redirect.INHERIT);
    }

    /** With the subcommands' progress (stderr) sent elsewhere, e.g. appended to a run's log file. */
    public ClusterControl(List<String> command, Map<String, String> environment, ProcessBuilder.Redirect stderr) {
        this(command, environment, stderr, DEFAULT_TIMEOUT);
    }

    private ClusterControl(List<String> command, Map<String, String> environment, ProcessBuilder.Redirect stderr,
            Duration timeout) {
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.stderr = stderr;
        this.timeout = timeout;
    }

    /**
     * A client that keeps the subcommands' stderr in {@link Result#output()} (a refusal's reason is
     * part of what a test checks) and gives up on a subcommand after TIMEOUT.
     */
    public static ClusterControl capturingStderr(List<String> command, Map<String, String> environment,
            Duration timeout) {
        return new ClusterControl(command, environment, null, timeout);
    }

    public List<Node> nodes() {
        List<Node> nodes = new ArrayList<>();
        for (String line : run("nodes")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                nodes.add(new Node(f[0], f[1], f[2]));
            }
        }
        return nodes;
    }

    /** The node that is primary now; fails when there is none. */
    public Node primary() {
        return nodes().stream().filter(n -> n.role().equals("primary")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no primary is running: " + nodes()));
    }

    /** Runs a subcommand and returns the events it printed. */
    public List<Event> events(String... args) {
        return parseEvents(String.join("\n", run(args)));
    }

    /** The {@code event} lines among what a subcommand printed. */
    public static List<Event> parseEvents(String output) {
        List<Event> events = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith("event ")) {
                String[] f = line.split(" ", 3);
                events.add(new Event(Long.parseLong(f[1]), f.length > 2 ? f[2] : ""));
            }
        }
        return events;
    }

    /** Runs a subcommand; its output lines, or an exception with everything it said. */
    public List<String> run(String... args) {
        return run(Map.of(), args).lines().toList();
    }

    /** {@link #run(String...)} with extra environment variables (PG_SYNC_MODE, say); the whole output. */
    public String run(Map<String, String> extraEnvironment, String... args) {
        Result r = attempt(extraEnvironment, args);
        if (!r.ok()) {
            throw new IllegalStateException(describe(args) + " failed (exit " + r.exitCode() + "):\n" + r.output());
        }
        return r.output();
    }

    /**
     * Runs a subcommand and returns what happened, failed or not (a refusal, say). A subcommand
     * still running after the timeout is killed with everything it started, and is an exception.
     */
    public Result attempt(Map<String, String> extraEnvironment, String... args) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(extraEnvironment);
        pb.environment().putAll(environment);
        if (stderr == null) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(stderr);
        }
        try {
            Process p = pb.start();
            // Read on another thread: a subcommand that hangs must not hang its caller past the timeout.
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(output unreadable: " + e + ")";
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(describe(args) + " timed out after " + timeout.toSeconds() + " s\n"
                        + out.getNow("(no output)"));
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS));
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String describe(String... args) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of(args));
        return String.join(" ", argv);
    }
}
