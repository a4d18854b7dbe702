package ru.otus.socialnet.chaos;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import ru.otus.socialnet.cluster.ClusterControl.Node;

/**
 * The healer of the Patroni cluster. Patroni elects, demotes and rewinds by itself; this healer never
 * promotes nor stops anything. It only starts again what a fault stopped — the network, etcd, an
 * agent that was killed (bin/patroni-cluster start leaves a running agent alone) — and waits for
 * Patroni. A node Patroni leaves behind for {@link #PATRONI_GRACE_MS} is a finding, and is
 * re-initialised (patronictl reinit) so that the run can go on.
 */
final class PatroniHealer extends Healer {

    /** How long Patroni may take to bring a node back (a pg_rewind and a restart, on a busy machine). */
    static final long PATRONI_GRACE_MS = 90_000;

    private final Set<String> started = new HashSet<>();
    private final Set<String> reinitialised = new HashSet<>();
    private final Set<String> said = new HashSet<>();

    PatroniHealer(ClusterSteps cluster, NodeSql sql, ClusterWatch watch, List<ServiceProcess> services, String runId,
            boolean network) {
        super(cluster, sql, watch, services, runId, network);
    }

    @Override
    protected void forgetRepairs() {
        started.clear();
        reinitialised.clear();
        said.clear();
    }

    @Override
    protected void beforeLooking() {
        if (network) {
            cluster.quietly(() -> cluster.events("heal"));
        }
        cluster.quietly(() -> cluster.events("dcs", "start")); // running: nothing to do, nothing said
    }

    /** Patroni demotes the older one by itself (once its agent runs and sees the leader key elsewhere). */
    @Override
    protected void twoPrimaries(List<Node> primaries) {
        noteStalePrimaries();
        sayOnce("two primaries answer: " + primaries.stream().map(Node::name).toList() + "; waiting for Patroni to demote the older");
        Daemons.sleep(1_000);
    }

    @Override
    protected void noPrimary(List<Node> nodes) {
        sayOnce("no primary: waiting for Patroni's election (the healer promotes nothing)");
        for (Node n : nodes) {
            if (n.role().equals("down")) {
                startOnce(n.name());
            }
        }
        Daemons.sleep(1_000);
    }

    @Override
    protected boolean notStreaming(Node n, Node primary, long waitedMs) {
        if (n.role().equals("down")) {
            startOnce(n.name());
        }
        if (waitedMs > PATRONI_GRACE_MS && reinitialised.add(n.name())) {
            cluster.finding("Patroni did not bring " + n.name() + " back to stream from " + primary.name() + " within "
                    + PATRONI_GRACE_MS / 1000 + " s: patronictl reinit");
            cluster.quietly(() -> cluster.events("reinit", n.name()));
            return true;
        }
        return false;
    }

    /** Starts the node's Patroni again if it is dead (a running or frozen agent is left alone). */
    private void startOnce(String node) {
        if (started.add(node)) {
            cluster.step(node + " does not answer: start its Patroni if it is not running");
            cluster.quietly(() -> cluster.events("start", node));
        }
    }

    private void sayOnce(String text) {
        if (said.add(text)) {
            cluster.step(text);
        }
    }

    /** bin/patroni-cluster rejoin: the agent started if it is not running, then until Patroni has it streaming. */
    @Override
    void rejoin(String node) {
        noteStalePrimaries();
        cluster.quietly(() -> cluster.events("rejoin", node));
    }

    /** Counted only: Patroni demotes (and rewinds) a primary that lost its leader key by itself. */
    @Override
    void stopStale(String node) {
        countStaleRows(node);
        cluster.step(node + ": Patroni demotes it by itself (the healer stops nothing)");
    }
}
