package ru.otus.socialnet.chaos;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ru.otus.socialnet.cluster.ClusterControl;

/**
 * Watches every node during a run, each on a thread of its own (a hung node delays only its own
 * probe): every half second a {@link Timelines.Round} of what each node says it is. The checker
 * uses it to tell which timeline was the newest at any moment, and when two primaries were reachable.
 */
final class ClusterWatch implements AutoCloseable {

    static final long INTERVAL_MS = 500;

    private final NodeSql sql;
    private final List<ClusterControl.Node> nodes;
    private final Map<String, NodeState> latest = new ConcurrentHashMap<>();
    private final List<Timelines.Round> rounds = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    ClusterWatch(NodeSql sql, List<ClusterControl.Node> nodes) {
        this.sql = sql;
        this.nodes = List.copyOf(nodes);
    }

    void start() {
        for (ClusterControl.Node n : nodes) {
            latest.put(n.name(), NodeState.unreachable(n.name()));
            threads.add(Daemons.start("chaos-watch-" + n.name(), () -> probe(n)));
        }
        threads.add(Daemons.start("chaos-watch", this::record));
    }

    /** What each node said at its last probe (at most {@link #INTERVAL_MS} and a probe's bound ago), by name. */
    Map<String, NodeState> latest() {
        return Map.copyOf(latest);
    }

    /** Each node's host:port, by name. */
    Map<String, String> authorities() {
        Map<String, String> a = new HashMap<>();
        nodes.forEach(n -> a.put(n.name(), n.authority()));
        return a;
    }

    synchronized Timelines timelines() {
        return new Timelines(List.copyOf(rounds));
    }

    private void probe(ClusterControl.Node node) {
        Connection c = null;
        while (running) {
            long start = System.currentTimeMillis();
            try {
                if (c == null) {
                    c = sql.connect(node.authority());
                }
                latest.put(node.name(), NodeSql.probe(node.name(), c));
            } catch (SQLException e) {
                latest.put(node.name(), NodeState.unreachable(node.name()));
                close(c);
                c = null;
            }
            Daemons.sleep(INTERVAL_MS - (System.currentTimeMillis() - start));
        }
        close(c);
    }

    private void record() {
        while (running) {
            List<NodeState> states = nodes.stream().map(n -> latest.get(n.name())).toList();
            synchronized (this) {
                rounds.add(new Timelines.Round(System.currentTimeMillis(), states));
            }
            Daemons.sleep(INTERVAL_MS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a dead connection: nothing to release
            }
        }
    }

}
