package ru.otus.socialnet.chaos;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ru.otus.socialnet.cluster.ClusterControl.Node;

/**
 * Makes the cluster whole again after a fault, with the project's own commands — one primary (of two,
 * the newer), every other node streaming from it, no network fault, every instance of the service
 * answering — and
 * counts, before a stale primary is stopped and rewound, the rows of the run only it has
 * ({@link StaleRows}): after the rewind they are gone.
 */
final class Healer {

    /** Today's rejoin can take minutes on a busy machine before it fails; healing may take a few of them. */
    static final long TIMEOUT_MS = 300_000;
    /** A standby that is up but does not stream for this long is rewound (rejoined). */
    static final long NOT_STREAMING_GRACE_MS = 10_000;

    private final ClusterSteps cluster;
    private final NodeSql sql;
    private final List<ServiceProcess> services;
    private final String runId;
    private final boolean network;
    private final List<StaleRows> staleRows = new ArrayList<>();

    Healer(ClusterSteps cluster, NodeSql sql, List<ServiceProcess> services, String runId, boolean network) {
        this.cluster = cluster;
        this.sql = sql;
        this.services = List.copyOf(services);
        this.runId = runId;
        this.network = network;
    }

    List<StaleRows> staleRows() {
        return List.copyOf(staleRows);
    }

    /** Until the cluster is whole; {@link Failure} when it is not after {@link #TIMEOUT_MS}. */
    void heal() throws Failure {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        Map<String, Long> notStreamingSince = new HashMap<>();
        // Per node: 0 nothing tried, 1 started, 2 start refused, 3+ rejoined, then re-cloned (a few times at most).
        Map<String, Integer> repairs = new HashMap<>();
        String state = "";
        if (network) {
            cluster.quietly(() -> cluster.events("heal"));
        }
        for (boolean last = false; !last; ) {
            last = System.currentTimeMillis() > deadline; // one more look after the deadline: the last step may have healed it
            for (ServiceProcess service : services) {
                if (!service.alive()) {
                    cluster.step(service + " is not running: starting it");
                    cluster.quietly(() -> start(service));
                }
            }
            List<Node> nodes;
            try {
                nodes = cluster.nodes();
            } catch (RuntimeException e) {
                cluster.step("bin/cluster nodes failed: " + ClusterSteps.firstLine(e.getMessage()));
                Daemons.sleep(1_000);
                continue;
            }
            List<Node> primaries = nodes.stream().filter(n -> n.role().equals("primary")).toList();
            if (primaries.size() > 1) {
                Node newest = newest(primaries);
                for (Node p : primaries) {
                    if (!p.name().equals(newest.name())) {
                        cluster.step("two primaries: " + p.name() + " is older than " + newest.name() + "; stopping it");
                        stopStale(p.name());
                    }
                }
                continue;
            }
            if (primaries.isEmpty()) {
                boolean standby = nodes.stream().anyMatch(n -> n.role().equals("replica"));
                cluster.step(standby ? "no primary: failover" : "no node running: bin/cluster up");
                cluster.quietly(() -> cluster.events(standby ? "failover" : "up"));
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
                    cluster.step(n.name() + " is down: start");
                    repairs.put(n.name(), cluster.quietly(() -> cluster.events("start", n.name())) ? 1 : 2);
                } else if (done == 2 || done < 2 && waited) {
                    cluster.step(n.name() + " does not stream from " + primary.name() + ": rejoin");
                    rejoin(n.name());
                    repairs.put(n.name(), 3);
                    notStreamingSince.remove(n.name());
                } else if (done >= 3 && done < 6 && waited) {
                    cluster.step(n.name() + " still does not stream from " + primary.name() + ": reclone");
                    cluster.quietly(() -> cluster.events("reclone", n.name()));
                    repairs.put(n.name(), done + 1);
                    notStreamingSince.remove(n.name());
                }
            }
            state = "primary " + primary.name() + ", streaming from it: " + streaming + "; nodes: "
                    + nodes.stream().map(n -> n.name() + " " + n.role()).toList();
            if (whole && services.stream().allMatch(ServiceProcess::answers)) {
                return;
            }
            Daemons.sleep(500);
        }
        throw new Failure("not whole after " + TIMEOUT_MS / 1000 + " s: " + state);
    }

    /**
     * The project's rejoin (pg_rewind); when it fails — itself a finding — the node is cloned afresh,
     * so the run can go on.
     */
    void rejoin(String node) {
        if (!cluster.quietly(() -> cluster.events("rejoin", node))) {
            cluster.step("rejoin of " + node + " failed: cloning it afresh from the primary (bin/cluster reclone)");
            cluster.quietly(() -> cluster.events("reclone", node));
        }
    }

    /** A stale primary out of the way: its own rows counted, then stopped (to be rejoined). */
    void stopStale(String node) {
        countStaleRows(node);
        cluster.quietly(() -> cluster.events("stop", node));
    }

    /** Rows of this run on a stale primary that the newest primary lacks. */
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
            cluster.step(staleName + " (timeline " + stale.timeline() + ") has " + onStale.size() + " row(s) of this run that "
                    + newest.get().name() + " (timeline " + newest.get().timeline() + ") lacks");
        } catch (SQLException | RuntimeException e) {
            cluster.step("could not count the rows on " + staleName + ": " + ClusterSteps.firstLine(e.getMessage()));
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
        try (Connection c = sql.connect(primary.authority()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            return names;
        } catch (SQLException e) {
            return List.of();
        }
    }

    private static void start(ServiceProcess service) {
        try {
            service.start();
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The cluster could not be made whole: itself a finding. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }
}
