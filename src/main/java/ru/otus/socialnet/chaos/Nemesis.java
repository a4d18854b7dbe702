package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ru.otus.socialnet.drill.ClusterControl;
import ru.otus.socialnet.drill.ClusterControl.Node;

/**
 * Injects one fault at a time through the project's own tools ({@code bin/cluster}: kill, failover,
 * rejoin, partition...), then heals the cluster — one primary, both other nodes streaming from it,
 * no network fault, the service answering — before the next. Whatever could not be healed is the
 * fault's finding. Before a stale primary is stopped and rewound, the rows only it has are counted
 * ({@link StaleRows}): after the rewind they are gone.
 */
final class Nemesis {

    /** Today's rejoin can take minutes on a busy machine before it fails; healing may take a few of them. */
    static final long HEAL_TIMEOUT_MS = 300_000;
    /** A standby that is up but does not stream for this long is rewound (rejoined). */
    static final long NOT_STREAMING_GRACE_MS = 10_000;
    /**
     * The cluster commands whose failure is a finding: the operations the project promises ('start' is
     * not among them: it refuses a stale former primary on purpose).
     */
    static final Set<String> PROJECT_TOOLS = Set.of("failover", "rejoin", "up", "reclone", "heal");

    private final ClusterControl cluster;
    private final NodeSql sql;
    private final ServiceProcess service;
    private final String runId;
    private final boolean network;
    private final Path clusterLog;
    private final List<StaleRows> staleRows = new ArrayList<>();
    private List<FaultRecord.Step> steps = new ArrayList<>();
    private List<String> toolFailures = new ArrayList<>();

    Nemesis(ClusterControl cluster, NodeSql sql, ServiceProcess service, String runId, boolean network, Path clusterLog) {
        this.clusterLog = clusterLog;
        this.cluster = cluster;
        this.sql = sql;
        this.service = service;
        this.runId = runId;
        this.network = network;
    }

    List<StaleRows> staleRows() {
        return List.copyOf(staleRows);
    }

    /** Injects the fault, undoes it, heals the cluster; never throws for what the cluster does. */
    FaultRecord inject(int number, Fault f) {
        steps = new ArrayList<>();
        toolFailures = new ArrayList<>();
        long start = System.currentTimeMillis();
        String target = null;
        step("fault " + number + ": " + f.describe());
        try {
            target = switch (f.kind()) {
                case KILL_PRIMARY -> killPrimary(f);
                case KILL_REPLICA -> killReplica(f);
                case PAUSE -> pause(f);
                case PARTITION_REPLICA -> partitionReplica(f);
                case PARTITION_PRIMARY -> partitionPrimary(f);
                case SLOW_REPLICA -> slowReplica(f);
                case STALE_PRIMARY -> stalePrimary(f);
                case RESTART_SERVICE -> restartService(f);
                case DOUBLE_FAILURE -> doubleFailure(f);
            };
        } catch (RuntimeException e) {
            step("a step of the fault failed: " + firstLine(e.getMessage()));
        }
        String problem = null;
        try {
            heal();
        } catch (HealFailure e) {
            problem = e.getMessage();
            step("NOT HEALED: " + problem);
        }
        return new FaultRecord(number, f, target, start, System.currentTimeMillis(), List.copyOf(steps),
                List.copyOf(toolFailures), problem);
    }

    private String killPrimary(Fault f) {
        String p = killPrimaryAndFailOver();
        hold(f.holdMs());
        rejoin(p);
        return p;
    }

    private String killReplica(Fault f) {
        String r = replica(f);
        return forAWhile(f.holdMs(), List.of("start", r), "kill", r);
    }

    private String pause(Fault f) {
        String n = f.onPrimary() ? primary() : replica(f);
        return forAWhile(f.holdMs(), List.of("resume", n), "pause", n);
    }

    private String partitionReplica(Fault f) {
        String r = replica(f);
        return forAWhile(f.holdMs(), List.of("heal", r), "partition", r);
    }

    /** A fault on one node for a while: {@code on}, the hold, then {@code off} whatever happened meanwhile. */
    private String forAWhile(long holdMs, List<String> off, String... on) {
        events(on);
        try {
            hold(holdMs);
        } finally {
            events(off.toArray(String[]::new));
        }
        return on[1];
    }

    /** kill -9 of the primary and the project's failover right away; returns the killed node. */
    private String killPrimaryAndFailOver() {
        String p = primary();
        events("kill", p);
        events("failover");
        return p;
    }

    private String partitionPrimary(Fault f) {
        String p = primary();
        events("partition", p);
        hold(f.holdMs());
        if (!f.variant()) {
            events("heal", p);
            return p;
        }
        // Cut off but alive: the others cannot reach it, so the failover promotes a standby...
        events("failover");
        // ...and when the network heals, the old primary is back, still a primary, on the old timeline.
        events("heal", p);
        hold(f.secondHoldMs());
        countStaleRows(p);
        cluster.run("stop", p);
        step("stopped " + p);
        rejoin(p);
        return p;
    }

    private String slowReplica(Fault f) {
        String r = replica(f);
        return forAWhile(f.holdMs(), List.of("heal", r), "delay", r, Integer.toString(f.delayMs()),
                Integer.toString(f.lossPercent()));
    }

    private String stalePrimary(Fault f) {
        String p = killPrimaryAndFailOver();
        hold(f.holdMs());
        // An operator's "pg_ctl start" on the old primary: bin/cluster's own start would refuse it.
        events("start-unguarded", p);
        step("started " + p + " again as it was (pg_ctl start, no rejoin)");
        if (f.variant()) {
            // A deploy while the stale node is up: the service's pools connect afresh.
            hold(f.secondHoldMs() / 2);
            restartService(true);
            hold(f.secondHoldMs() / 2);
        } else {
            hold(f.secondHoldMs());
        }
        countStaleRows(p);
        cluster.run("stop", p);
        step("stopped " + p);
        rejoin(p);
        return p;
    }

    private String restartService(Fault f) {
        return restartService(f.variant());
    }

    /** SIGTERM (graceful) or SIGKILL (a crash), then a fresh start; returns once it answers again. */
    private String restartService(boolean graceful) {
        step((graceful ? "SIGTERM" : "SIGKILL") + " to the service");
        try {
            service.stop(graceful);
            step("service stopped; starting it again");
            service.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the service: " + e.getMessage(), e);
        }
        step("service answers again");
        return "service";
    }

    private String doubleFailure(Fault f) {
        String p = killPrimaryAndFailOver();
        String promoted = primary();
        hold(f.secondHoldMs());
        events("kill", promoted);
        step("both " + p + " and " + promoted + " are down; bin/cluster up");
        events("up");
        return p + "+" + promoted;
    }

    /**
     * Until the cluster is whole: one primary (of two, the newer; the other is counted, stopped and
     * rejoined), every other node streaming from it, no network fault, the service answering.
     */
    void heal() throws HealFailure {
        long deadline = System.currentTimeMillis() + HEAL_TIMEOUT_MS;
        Map<String, Long> notStreamingSince = new HashMap<>();
        // Per node: 0 nothing tried, 1 started, 2 start refused, 3+ rejoined, then re-cloned (a few times at most).
        Map<String, Integer> repairs = new HashMap<>();
        String state = "";
        if (network) {
            quietly(() -> cluster.run("heal"));
        }
        for (boolean last = false; !last; ) {
            last = System.currentTimeMillis() > deadline; // one more look after the deadline: the last step may have healed it
            if (!service.alive()) {
                step("the service is not running: starting it");
                quietly(this::startService);
            }
            List<Node> nodes;
            try {
                nodes = cluster.nodes();
            } catch (RuntimeException e) {
                step("bin/cluster nodes failed: " + firstLine(e.getMessage()));
                Daemons.sleep(1_000);
                continue;
            }
            List<Node> primaries = nodes.stream().filter(n -> n.role().equals("primary")).toList();
            if (primaries.size() > 1) {
                Node newest = newest(primaries);
                for (Node p : primaries) {
                    if (!p.name().equals(newest.name())) {
                        step("two primaries: " + p.name() + " is older than " + newest.name() + "; stopping it");
                        countStaleRows(p.name());
                        quietly(() -> cluster.run("stop", p.name()));
                    }
                }
                continue;
            }
            if (primaries.isEmpty()) {
                boolean standby = nodes.stream().anyMatch(n -> n.role().equals("replica"));
                step(standby ? "no primary: failover" : "no node running: bin/cluster up");
                quietly(() -> events(standby ? "failover" : "up"));
                Daemons.sleep(1_000);
                continue;
            }
            Node primary = primaries.get(0);
            List<String> streaming = streamingFrom(primary);
            boolean whole = true;
            for (Node n : nodes) {
                if (n.name().equals(primary.name()) || streaming.contains(n.name())) {
                    notStreamingSince.remove(n.name());
                    continue;
                }
                whole = false;
                long since = notStreamingSince.computeIfAbsent(n.name(), k -> System.currentTimeMillis());
                int done = repairs.getOrDefault(n.name(), 0);
                boolean waited = System.currentTimeMillis() - since > NOT_STREAMING_GRACE_MS;
                if (done == 0 && n.role().equals("down")) {
                    step(n.name() + " is down: start");
                    repairs.put(n.name(), quietly(() -> events("start", n.name())) ? 1 : 2);
                } else if (done == 2 || done < 2 && waited) {
                    step(n.name() + " does not stream from " + primary.name() + ": rejoin");
                    rejoin(n.name());
                    repairs.put(n.name(), 3);
                    notStreamingSince.remove(n.name());
                } else if (done >= 3 && done < 6 && waited) {
                    step(n.name() + " still does not stream from " + primary.name() + ": reclone");
                    quietly(() -> events("reclone", n.name()));
                    repairs.put(n.name(), done + 1);
                    notStreamingSince.remove(n.name());
                }
            }
            state = "primary " + primary.name() + ", streaming from it: " + streaming + "; nodes: " + nodes.stream()
                    .map(n -> n.name() + " " + n.role()).toList();
            if (whole && service.answers()) {
                return;
            }
            Daemons.sleep(500);
        }
        throw new HealFailure("not whole after " + HEAL_TIMEOUT_MS / 1000 + " s: " + state);
    }

    /**
     * The project's rejoin (pg_rewind); when it fails, that is noted as a failure of the project's tools
     * and the node is cloned afresh, so the run can go on.
     */
    private void rejoin(String node) {
        if (!quietly(() -> events("rejoin", node))) {
            step("rejoin of " + node + " failed: cloning it afresh from the primary (bin/cluster reclone)");
            quietly(() -> events("reclone", node));
        }
    }

    /** Rows of this run on a stale primary that the newest primary lacks, counted before it is stopped. */
    private void countStaleRows(String staleName) {
        try {
            Map<String, NodeState> states = new HashMap<>();
            Map<String, String> authorities = new HashMap<>();
            for (Node n : cluster.nodes()) {
                states.put(n.name(), sql.probe(n.name(), n.authority()));
                authorities.put(n.name(), n.authority());
            }
            NodeState stale = states.get(staleName);
            Optional<NodeState> newest = states.values().stream()
                    .filter(s -> s.reachable() && s.primary() && !s.name().equals(staleName))
                    .max(Comparator.comparingInt(NodeState::timeline));
            if (stale == null || !stale.reachable() || !stale.primary() || newest.isEmpty()
                    || stale.timeline() >= newest.get().timeline()) {
                return;
            }
            Map<String, Integer> onStale = sql.markerRows(authorities.get(staleName), runId);
            onStale.keySet().removeAll(sql.markerRows(authorities.get(newest.get().name()), runId).keySet());
            staleRows.add(new StaleRows(staleName, stale.timeline(), System.currentTimeMillis(), onStale));
            step(staleName + " (timeline " + stale.timeline() + ") has " + onStale.size() + " row(s) of this run that "
                    + newest.get().name() + " (timeline " + newest.get().timeline() + ") lacks");
        } catch (SQLException | RuntimeException e) {
            step("could not count the rows on " + staleName + ": " + firstLine(e.getMessage()));
        }
    }

    /** Of several primaries, the one on the newest timeline (then the furthest WAL position). */
    private Node newest(List<Node> primaries) {
        Map<String, NodeState> states = new HashMap<>();
        primaries.forEach(n -> states.put(n.name(), sql.probe(n.name(), n.authority())));
        Comparator<NodeState> order = Comparator.comparing(NodeState::reachable)
                .thenComparingInt(NodeState::timeline).thenComparingLong(NodeState::lsn);
        return primaries.stream().max((a, b) -> order.compare(states.get(a.name()), states.get(b.name()))).orElseThrow();
    }

    private List<String> streamingFrom(Node primary) {
        try (var c = sql.connect(primary.authority()); var st = c.createStatement();
             var rs = st.executeQuery("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        } catch (SQLException e) {
            return List.of();
        }
    }

    private String primary() {
        return cluster.primary().name();
    }

    /** A running replica, chosen by the fault's pick among them in name order. */
    private String replica(Fault f) {
        List<String> replicas = cluster.nodes().stream().filter(n -> n.role().equals("replica")).map(Node::name)
                .sorted().toList();
        if (replicas.isEmpty()) {
            throw new IllegalStateException("no running replica");
        }
        return replicas.get(f.pick() % replicas.size());
    }

    private void startService() {
        try {
            service.start();
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void events(String... args) {
        String command = "bin/cluster " + String.join(" ", args);
        step(command);
        List<ClusterControl.Event> events;
        long start = System.currentTimeMillis();
        try {
            events = cluster.events(args);
        } catch (RuntimeException e) {
            if (PROJECT_TOOLS.contains(args[0])) {
                toolFailures.add(command + " failed after " + (System.currentTimeMillis() - start) / 1000 + " s"
                        + lastError().map(err -> ": " + err).orElse(""));
            }
            throw e;
        }
        for (ClusterControl.Event e : events) {
            steps.add(new FaultRecord.Step(e.epochMs(), e.text()));
        }
    }

    /** Runs a healing step; its failure is noted, not thrown: the loop looks again. */
    private boolean quietly(Runnable r) {
        try {
            r.run();
            return true;
        } catch (RuntimeException e) {
            step("failed: " + firstLine(e.getMessage()));
            return false;
        }
    }

    /** The last "error: ..." line bin/cluster wrote to its log (its stderr goes there), if any. */
    private Optional<String> lastError() {
        if (clusterLog == null) {
            return Optional.empty();
        }
        try (var lines = Files.lines(clusterLog)) {
            return lines.filter(l -> l.startsWith("error: ")).reduce((a, b) -> b);
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private void hold(long ms) {
        Daemons.sleep(ms);
    }

    private void step(String text) {
        steps.add(new FaultRecord.Step(System.currentTimeMillis(), text));
        System.err.println("chaos: " + text);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String[] lines = s.strip().split("\n");
        return lines.length > 1 ? lines[0] + " … " + lines[lines.length - 1] : lines[0];
    }

    /** The cluster could not be made whole: itself a finding. */
    static final class HealFailure extends Exception {
        HealFailure(String message) {
            super(message);
        }
    }
}
