package ru.otus.socialnet.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cluster, as the drill sees it: a command with the subcommands {@code nodes}, {@code sync},
 * {@code kill}, {@code failover} and {@code rejoin} — {@code bin/cluster} for the manual cluster,
 * another command with the same contract for another kind of cluster. The drill never reaches
 * into the servers' files itself: every cluster operation has one implementation, there.
 */
public final class ClusterControl {

    /** One line of {@code nodes}: name, host:port, and primary | replica | down. */
    public record Node(String name, String authority, String role) {
    }

    /** One {@code event <epoch ms> <text>} line a subcommand printed. */
    public record Event(long epochMs, String text) {
    }

    /** A subcommand that exited non-zero: its status and what it printed on stdout. */
    public static final class CommandFailed extends IllegalStateException {
        private final int exitCode;
        private final List<String> output;

        CommandFailed(String message, int exitCode, List<String> output) {
            super(message);
            this.exitCode = exitCode;
            this.output = List.copyOf(output);
        }

        public int exitCode() {
            return exitCode;
        }

        /** The events among what it printed before it failed. */
        public List<Event> events() {
            return parseEvents(output);
        }
    }

    private final List<String> command;
    private final Map<String, String> environment;
    private final ProcessBuilder.Redirect stderr;

    public ClusterControl(List<String> command, Map<String, String> environment) {
        this(command, environment, ProcessBuilder.Redirect.INHERIT);
    }

    /** With the subcommands' progress (stderr) sent elsewhere, e.g. appended to a run's log file. */
    public ClusterControl(List<String> command, Map<String, String> environment, ProcessBuilder.Redirect stderr) {
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.stderr = stderr;
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
        return parseEvents(run(args));
    }

    private static List<Event> parseEvents(List<String> lines) {
        List<Event> events = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("event ")) {
                String[] f = line.split(" ", 3);
                events.add(new Event(Long.parseLong(f[1]), f.length > 2 ? f[2] : ""));
            }
        }
        return events;
    }

    /** Runs a subcommand; its stdout lines, or an exception with everything it said. */
    public List<String> run(String... args) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(environment);
        pb.redirectError(stderr);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new CommandFailed(String.join(" ", argv) + " failed (exit " + p.exitValue() + "):\n" + out,
                        p.exitValue(), out.lines().toList());
            }
            return out.lines().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
