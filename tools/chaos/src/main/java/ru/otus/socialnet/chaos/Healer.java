package ru.otus.socialnet.chaos;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ru.otus.socialnet.cluster.ClusterControl.Node;

/**
 * Makes the cluster whole again after a fault — one primary (of two, the newer), every other node
 * streaming from it, no network fault, every instance of the service answering — and counts, before a
 * stale primary is rewound, the rows of the run only it has ({@link StaleRows}): after the rewind
 * they are gone. How a node is repaired is the engine's ({@link ScriptedHealer}: the project's
 * commands; {@link PatroniHealer}: Patroni's own, the healer only starts again what stopped).
 */
abstract class Healer {

    /** A rejoin can take minutes on a busy machine before it fails; healing may take a few of them. */
    static final long TIMEOUT_MS = 300_000;

    protected final ClusterSteps cluster;
    protected final NodeSql sql;
    private final ClusterWatch watch;
    private final List<ServiceProcess> services;
    private final String runId;
    protected final boolean network;
    private final List<StaleRows> staleRows = new ArrayList<>();
    /** "node@timeline" already counted: a stale primary is counted once per timeline it wrote. */
    private final Set<String> counted = new HashSet<>();

    /** @param watch what every node said at its last probe: where stale primaries are looked for (no command run) */
    Healer(ClusterSteps cluster, NodeSql sql, ClusterWatch watch, List<ServiceProcess> services, String runId, boolean network) {
        this.cluster = cluster;
        this.sql = sql;
        this.watch = watch;
        this.services = List.copyOf(services);
        this.runId = runId;
        this.network = network;
    }

    static Healer of(Engine engine, ClusterSteps cluster, NodeSql sql, ClusterWatch watch, List<ServiceProcess> services,
            String runId, boolean network) {
        return switch (engine) {
            case LOCAL -> new ScriptedHealer(cluster, sql, watch, services, runId, network);
            case PATRONI -> new PatroniHealer(cluster, sql, watch, services, runId, network);
        };
    }

    List<StaleRows> staleRows() {
        return List.copyOf(staleRows);
    }

    /** A former primary made a standby again (the engine's way); whatever fails is written down. */
    abstract void rejoin(String node);

    /** A stale primary out of the way, its own rows counted first. */
    abstract void stopStale(String node);

    /** What every healing starts with: the network whole again, and what the engine needs running. */
    protected abstract void beforeLooking();

    /** Two or more primaries answer (their names, the newest last is not promised). */
    protected abstract void twoPrimaries(List<Node> primaries);

    /** No primary answers. */
    protected abstract void noPrimary(List<Node> nodes);

    /**
     * NODE does not stream from PRIMARY, for {@code waitedMs} now; returns true when what it did makes
     * the wait start again (a rejoin, say).
     */
    protected abstract boolean notStreaming(Node node, Node primary, long waitedMs);

    /** A new healing: the engines' memory of what they tried on each node starts empty. */
    protected abstract void forgetRepairs();

    /** Until the cluster is whole; {@link Failure} when it is not after {@link #TIMEOUT_MS}. */
    void heal() throws Failure {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        Map<String, Long> notStreamingSince = new HashMap<>();
        String state = "";
        forgetRepairs();
        beforeLooking();
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
                cluster.step(cluster.name() + " nodes failed: " + ClusterSteps.firstLine(e.getMessage()));
                Daemons.sleep(1_000);
                continue;
            }
            List<Node> primaries = nodes.stream().filter(n -> n.role().equals("primary")).toList();
            if (primaries.size() > 1) {
                twoPrimaries(primaries);
                continue;
            }
            if (primaries.isEmpty()) {
                noPrimary(nodes);
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
                if (notStreaming(n, primary, System.currentTimeMillis() - since)) {
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
     * The rows of this run on every primary that answers on an older timeline than the newest primary
     * (a stale one: written to after a failover it missed, or about to be rewound), counted before
     * anything rewinds it.
     */
    void noteStalePrimaries() {
        countStaleRows(null);
    }

    /**
     * Rows of this run on a stale primary that the newest primary lacks, once per node and timeline:
     * of the node named STALE, or of every stale primary when STALE is null. Which nodes are stale
     * primaries: the cluster watch's last probes (half a second old at most), so that looking costs
     * no command and no probe of a node that does not answer.
     */
    protected void countStaleRows(String stale) {
        Map<String, NodeState> states = watch.latest();
        Optional<NodeState> newest = states.values().stream().filter(s -> s.reachable() && s.primary())
                .max(Comparator.comparingInt(NodeState::timeline));
        for (NodeState s : states.values()) {
            if ((stale == null || s.name().equals(stale)) && s.reachable() && s.primary() && newest.isPresent()
                    && s.timeline() < newest.get().timeline() && counted.add(s.name() + "@" + s.timeline())) {
                countRows(s, newest.get(), watch.authorities());
            }
        }
    }

    private void countRows(NodeState stale, NodeState newest, Map<String, String> authorities) {
        try {
            Map<String, Integer> onStale = sql.markerRows(authorities.get(stale.name()), runId);
            onStale.keySet().removeAll(sql.markerRows(authorities.get(newest.name()), runId).keySet());
            staleRows.add(new StaleRows(stale.name(), stale.timeline(), System.currentTimeMillis(), onStale));
            cluster.step(stale.name() + " (timeline " + stale.timeline() + ") has " + onStale.size() + " row(s) of this run that "
                    + newest.name() + " (timeline " + newest.timeline() + ") lacks");
        } catch (SQLException | RuntimeException e) {
            counted.remove(stale.name() + "@" + stale.timeline()); // not counted after all: another look may
            cluster.step("could not count the rows on " + stale.name() + ": " + ClusterSteps.firstLine(e.getMessage()));
        }
    }

    /** Of several primaries, the one on the newest timeline (then the furthest WAL position). */
    protected Node newest(List<Node> primaries) {
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
