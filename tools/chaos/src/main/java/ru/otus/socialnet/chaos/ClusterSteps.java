package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import ru.otus.socialnet.cluster.ClusterControl.Node;
import ru.otus.socialnet.cluster.ClusterControl;

/**
 * The cluster commands of one fault and its healing, each written down as a step with the events
 * the cluster command ({@code bin/cluster}, {@code bin/patroni-cluster}) printed — the fault's story in
 * its report. A project command that fails ({@link #PROJECT_TOOLS}) is written down as a finding too.
 */
final class ClusterSteps {

    /**
     * The cluster commands whose failure is a finding: the operations the project promises ('start' is
     * not among them: it refuses a stale former primary on purpose).
     */
    static final Set<String> PROJECT_TOOLS = Set.of("failover", "rejoin", "up", "reclone", "heal", "reinit", "dcs");

    /** {@code bin/cluster up}'s status when the cluster runs but a stale node was refused. */
    static final int UP_WITH_REFUSALS = 3;

    private final ClusterControl cluster;
    private final Path clusterLog;
    private final String name;
    private List<FaultRecord.Step> steps = new ArrayList<>();
    private List<String> toolFailures = new ArrayList<>();

    /**
     * @param clusterLog where the command's stderr goes: a failed command's "error:" line is read from it
     * @param name       the command as the story names it: bin/cluster, bin/patroni-cluster
     */
    ClusterSteps(ClusterControl cluster, Path clusterLog, String name) {
        this.cluster = cluster;
        this.clusterLog = clusterLog;
        this.name = name;
    }

    String name() {
        return name;
    }

    /** A new fault: a fresh story. */
    void begin() {
        steps = new ArrayList<>();
        toolFailures = new ArrayList<>();
    }

    List<FaultRecord.Step> steps() {
        return List.copyOf(steps);
    }

    List<String> toolFailures() {
        return List.copyOf(toolFailures);
    }

    void step(String text) {
        steps.add(new FaultRecord.Step(System.currentTimeMillis(), text));
        System.err.println("chaos: " + text);
    }

    /** The command with ARGS, its events added to the story; throws when it fails. */
    void events(String... args) {
        String command = name + " " + String.join(" ", args);
        step(command);
        long start = System.currentTimeMillis();
        ClusterControl.Result result;
        try {
            result = cluster.attempt(Map.of(), args);
        } catch (RuntimeException e) {
            recordFailure(args[0], command, start);
            throw e;
        }
        if (args[0].equals("up") && result.exitCode() == UP_WITH_REFUSALS) {
            // Not a failure: the cluster runs and a stale node stayed down, as it must; healing rejoins it.
            step("up: the cluster runs; a stale node was refused (exit " + UP_WITH_REFUSALS + "), as it must be");
        } else if (!result.ok()) {
            recordFailure(args[0], command, start);
            throw new IllegalStateException(command + " failed (exit " + result.exitCode() + "):\n" + result.output());
        }
        List<ClusterControl.Event> events = ClusterControl.parseEvents(result.output());
        for (ClusterControl.Event e : events) {
            steps.add(new FaultRecord.Step(e.epochMs(), e.text()));
        }
    }

    /** What the cluster did not do by itself (a Patroni that left a node behind): a finding, like a failed command. */
    void finding(String text) {
        step("FINDING: " + text);
        toolFailures.add(text);
    }

    private void recordFailure(String tool, String command, long start) {
        if (PROJECT_TOOLS.contains(tool)) {
            toolFailures.add(command + " failed after " + (System.currentTimeMillis() - start) / 1000 + " s"
                    + lastError().map(err -> ": " + err).orElse(""));
        }
    }

    /** Runs a step; its failure is written down, not thrown: whoever called it looks again. */
    boolean quietly(Runnable r) {
        try {
            r.run();
            return true;
        } catch (RuntimeException e) {
            step("failed: " + firstLine(e.getMessage()));
            return false;
        }
    }

    List<Node> nodes() {
        return cluster.nodes();
    }

    String primary() {
        return cluster.primary().name();
    }

    /** A running replica, chosen by {@code pick} among them in name order. */
    String replica(int pick) {
        List<String> replicas = nodes().stream().filter(n -> n.role().equals("replica")).map(Node::name).sorted().toList();
        if (replicas.isEmpty()) {
            throw new IllegalStateException("no running replica");
        }
        return replicas.get(pick % replicas.size());
    }

    /** The last "error: ..." line the command wrote to its log, if any. */
    private Optional<String> lastError() {
        try (Stream<String> lines = Files.lines(clusterLog)) {
            return lines.filter(l -> l.startsWith("error: ")).reduce((a, b) -> b);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String[] lines = s.strip().split("\n");
        return lines.length > 1 ? lines[0] + " … " + lines[lines.length - 1] : lines[0];
    }
}
