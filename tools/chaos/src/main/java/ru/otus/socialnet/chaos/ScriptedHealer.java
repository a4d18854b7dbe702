package ru.otus.socialnet.chaos;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ru.otus.socialnet.cluster.ClusterControl.Node;

/**
 * The healer of the local cluster, where nothing fails over by itself: it runs the project's own
 * commands as an operator would — stops the older of two primaries, fails over when no primary runs,
 * starts a node that is down, rejoins (pg_rewind) one that does not stream, and re-clones it as the
 * last resort.
 */
final class ScriptedHealer extends Healer {

    /** A standby that is up but does not stream for this long is rewound (rejoined). */
    static final long NOT_STREAMING_GRACE_MS = 10_000;

    /** Per node: 0 nothing tried, 1 started, 2 start refused, 3+ rejoined, then re-cloned (a few times at most). */
    private final Map<String, Integer> repairs = new HashMap<>();

    ScriptedHealer(ClusterSteps cluster, NodeSql sql, ClusterWatch watch, List<ServiceProcess> services, String runId,
            boolean network) {
        super(cluster, sql, watch, services, runId, network);
    }

    @Override
    protected void forgetRepairs() {
        repairs.clear();
    }

    @Override
    protected void beforeLooking() {
        if (network) {
            cluster.quietly(() -> cluster.events("heal"));
        }
    }

    @Override
    protected void twoPrimaries(List<Node> primaries) {
        Node newest = newest(primaries);
        for (Node p : primaries) {
            if (!p.name().equals(newest.name())) {
                cluster.step("two primaries: " + p.name() + " is older than " + newest.name() + "; stopping it");
                stopStale(p.name());
            }
        }
    }

    @Override
    protected void noPrimary(List<Node> nodes) {
        boolean standby = nodes.stream().anyMatch(n -> n.role().equals("replica"));
        cluster.step(standby ? "no primary: failover" : "no node running: " + cluster.name() + " up");
        cluster.quietly(() -> cluster.events(standby ? "failover" : "up"));
        Daemons.sleep(1_000);
    }

    @Override
    protected boolean notStreaming(Node n, Node primary, long waitedMs) {
        int done = repairs.getOrDefault(n.name(), 0);
        boolean waited = waitedMs > NOT_STREAMING_GRACE_MS;
        if (done == 0 && n.role().equals("down")) {
            cluster.step(n.name() + " is down: start");
            repairs.put(n.name(), cluster.quietly(() -> cluster.events("start", n.name())) ? 1 : 2);
        } else if (done == 2 || done < 2 && waited) {
            cluster.step(n.name() + " does not stream from " + primary.name() + ": rejoin");
            rejoin(n.name());
            repairs.put(n.name(), 3);
            return true;
        } else if (done >= 3 && done < 6 && waited) {
            cluster.step(n.name() + " still does not stream from " + primary.name() + ": reclone");
            cluster.quietly(() -> cluster.events("reclone", n.name()));
            repairs.put(n.name(), done + 1);
            return true;
        }
        return false;
    }

    /**
     * The project's rejoin (pg_rewind); when it fails — itself a finding — the node is cloned afresh,
     * so the run can go on.
     */
    @Override
    void rejoin(String node) {
        if (!cluster.quietly(() -> cluster.events("rejoin", node))) {
            cluster.step("rejoin of " + node + " failed: cloning it afresh from the primary (" + cluster.name() + " reclone)");
            cluster.quietly(() -> cluster.events("reclone", node));
        }
    }

    /** A stale primary out of the way: its own rows counted, then stopped (to be rejoined). */
    @Override
    void stopStale(String node) {
        countStaleRows(node);
        cluster.quietly(() -> cluster.events("stop", node));
    }
}
