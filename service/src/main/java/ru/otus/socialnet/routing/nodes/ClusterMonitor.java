package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.SQLExceptionOverride;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ru.otus.socialnet.consistency.ConsistencyToken;
import ru.otus.socialnet.routing.consistency.CommitPosition;

/**
 * Watches every node named in {@code PG_AUTHORITY_*} and decides, from what the servers say, which
 * one takes the writes and which ones serve the reads ({@link Topology}).
 *
 * <p>Each node is probed every {@code pg.routing.monitor-interval} on a thread of its own and through
 * a connection of its own, with short timeouts: a dead or hung node never delays the news of the
 * others, and a busy request pool never looks like a dead node. A request that finds a node failing
 * reports it ({@link #nodeFailed}): the node is out at once and re-probed right away.
 *
 * <p>Fencing: the monitor remembers the newest timeline it has seen (on a primary, on a standby's WAL
 * receiver, in any node's last checkpoint, or — where the role may list pg_wal — in any node's
 * timeline history files, which survive a restart of the service). A primary on an older timeline — a former primary
 * started again after a failover — is fenced: never written to. With two primaries on the newest
 * timeline, writes stay where they are (or go to the one further ahead), and the other is fenced.
 * The memory lasts as long as the service runs; a re-initialised cluster (a new system identifier on
 * every answering node) resets it.
 */
public final class ClusterMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMonitor.class);

    private final List<Node> nodes;
    private final boolean readsOnStandbys;
    private final RoutingProperties settings;
    private final RoutingMetrics metrics;
    private final WalHistory history = new WalHistory(600);
    private final ScheduledExecutorService scheduler;

    private volatile Topology topology = Topology.NONE;
    private long systemId;
    private int newestTimeline;
    private volatile boolean warnedAboutReceiverVisibility;

    public ClusterMonitor(PgProperties pg, RoutingProperties settings, RoutingMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.readsOnStandbys = pg.authority().readsOnStandbys();
        List<Node> all = new ArrayList<>();
        for (HostPort address : pg.authority().nodes()) {
            Node node = new Node(address, settings, metrics);
            node.attach(NodePools.create(address, pg, reporterFor(node)));
            metrics.watch(node);
            all.add(node);
        }
        this.nodes = List.copyOf(all);
        AtomicInteger n = new AtomicInteger();
        // one thread per node for the periodic probes, one more for probes asked for by requests
        this.scheduler = Executors.newScheduledThreadPool(nodes.size() + 1, r -> {
            Thread t = new Thread(r, "cluster-monitor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Probes every node once, in parallel (so the first requests route on facts), then keeps probing. */
    public void start() {
        nodes.parallelStream().forEach(this::probe);
        log.info("nodes: {}; reads go to {}", nodes, readsOnStandbys ? "the standbys of the primary"
                : "the primary (PG_AUTHORITY_REPLICA is empty)");
        long every = settings.monitorInterval().toMillis();
        for (Node node : nodes) {
            scheduler.scheduleWithFixedDelay(() -> probeIfDue(node), every, every, TimeUnit.MILLISECONDS);
        }
    }

    public List<Node> nodes() {
        return nodes;
    }

    /**
     * The primary, waiting up to {@code patience} for one (every node probed again each half second);
     * null when none answered in time.
     */
    public Node awaitPrimary(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Node primary = topology.primary();
            if (primary != null || System.nanoTime() >= deadline) {
                return primary;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return topology.primary();
            }
            nodes.parallelStream().forEach(this::probe);
        }
    }

    public Topology topology() {
        return topology;
    }

    public boolean readsOnStandbys() {
        return readsOnStandbys;
    }

    /**
     * A request found {@code node} failing (refused, broken, or silent past its socket timeout): out of
     * use at once, and probed right away, so a node that merely lost one session is back in
     * milliseconds and a dead one stays out.
     */
    public void nodeFailed(Node node, String why) {
        if (node.ban(why)) {
            recompute();
            probeSoon(node);
        }
    }

    /**
     * A node's pool could not give a connection although no connection broke: the probe, with a
     * connection of its own, tells a node that is down (banned) from a pool still catching up.
     */
    void probeSoon(Node node) {
        scheduler.execute(() -> probe(node));
    }

    /**
     * Whether {@code token} can have been issued by this cluster: it is not ahead of the primary's
     * position (asked afresh when the last probe is behind the token). When no primary answers it
     * cannot be told, and counts as possible: the read then looks for a node that has it.
     */
    public boolean couldHaveIssued(ConsistencyToken token) {
        Topology t = topology;
        if (t.lastPrimaryPosition() != null && !token.isAfter(t.lastPrimaryPosition())) {
            return true;
        }
        Node primary = t.primary();
        if (primary == null) {
            return true;
        }
        try (Connection c = primary.pools().read()) {
            return !token.isAfter(CommitPosition.read(c));
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * The pool's hook for every SQLException on one of the node's connections: the point where a
     * request learns that its node failed, so the node is banned there and then.
     */
    private SQLExceptionOverride reporterFor(Node node) {
        return new FailureReporter(node);
    }

    private final class FailureReporter implements SQLExceptionOverride {
        private final Node node;

        FailureReporter(Node node) {
            this.node = node;
        }

        @java.lang.Override
        public Override adjudicate(SQLException failure) {
            NodeFailure verdict = NodeFailure.of(failure);
            if (verdict.nodeIsDown()) {
                nodeFailed(node, verdict.name().toLowerCase().replace('_', ' ') + ": " + failure.getMessage());
            }
            // A FATAL error ends the session whatever its SQLSTATE: the connection must not go back.
            return NodeFailure.isFatal(failure) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
        }
    }

    private void probeIfDue(Node node) {
        if (node.dueForProbe(System.nanoTime())) {
            probe(node);
        }
    }

    void probe(Node node) {
        try {
            node.probed(node.pools().probe().run(c -> {
                if (node.canListWal() == null) {
                    node.canListWal(Probe.canListWal(c));
                }
                return Probe.of(c, node.canListWal());
            }));
        } catch (SQLException | RuntimeException e) {
            node.probeFailed("probe failed: " + e.getMessage());
        }
        recompute();
    }

    /** Decides every node's role from the latest probes; publishes a new {@link Topology}. */
    synchronized void recompute() {
        List<Node> answering = nodes.stream().filter(n -> n.probe() != null && !n.isBanned()).toList();
        List<Node> ours = sameCluster(answering);
        for (Node n : ours) {
            newestTimeline = Math.max(newestTimeline, n.probe().newestTimelineSeen());
        }
        Node current = choosePrimary(ours);
        long now = System.nanoTime();
        ConsistencyToken position = topology.lastPrimaryPosition();
        if (current != null) {
            if (current != topology.primary()) {
                log.info("writes go to {} (primary on timeline {})", current.name(), current.probe().timeline());
                history.clear();
            }
            position = current.probe().position();
            history.record(current.probe().takenAtNanos(), position.lsn());
        }
        for (Node n : ours) {
            if (!n.probe().inRecovery()) {
                n.primary(n == current, n == current ? "primary on timeline " + n.probe().timeline()
                        : fencedBecause(n, current));
            } else {
                decideStandby(n, current, now);
            }
        }
        List<Node> inRotation = ours.stream().filter(Node::inRotation).toList();
        List<Node> standbys = ours.stream().filter(Node::answeringStandby).toList();
        List<Node> fenced = ours.stream().filter(n -> n.state() == Node.State.FENCED).toList();
        topology = new Topology(current, inRotation, standbys, fenced, position, newestTimeline);
    }

    /** The answering nodes of the cluster the service knows (one system identifier). */
    private List<Node> sameCluster(List<Node> answering) {
        if (answering.isEmpty()) {
            return answering;
        }
        if (answering.stream().noneMatch(n -> n.probe().systemId() == systemId)) {
            long seen = answering.get(0).probe().systemId();
            if (systemId != 0) {
                log.warn("no node answers with system identifier {} any more; {} does: the cluster was "
                        + "re-initialised, the timeline memory starts again", systemId, seen);
            }
            systemId = seen;
            newestTimeline = 0;
        }
        List<Node> ours = new ArrayList<>();
        for (Node n : answering) {
            if (n.probe().systemId() == systemId) {
                ours.add(n);
            } else {
                n.standby(-1, null, false, "belongs to another cluster (system identifier "
                        + n.probe().systemId() + ", not " + systemId + "): never used");
            }
        }
        return ours;
    }

    /**
     * The primary to write to: one on the newest timeline seen. The current one keeps the writes
     * while it qualifies; otherwise the one with the most WAL.
     */
    private Node choosePrimary(List<Node> ours) {
        List<Node> eligible = ours.stream()
                .filter(n -> !n.probe().inRecovery() && n.probe().timeline() == newestTimeline).toList();
        Node current = topology.primary();
        if (current != null && eligible.contains(current)) {
            return current;
        }
        return eligible.stream()
                .max(Comparator.comparing(n -> n.probe().currentLsn(), Long::compareUnsigned))
                .orElse(null);
    }

    private String fencedBecause(Node n, Node current) {
        int tl = n.probe().timeline();
        if (tl < newestTimeline) {
            return "a primary on timeline " + tl + ", older than timeline " + newestTimeline
                    + " already seen: a former primary started again after a failover; never written to "
                    + "(turn it into a standby: bin/cluster rejoin)";
        }
        return "a second primary on timeline " + tl + "; writes stay on "
                + (current == null ? "?" : current.name());
    }

    private void decideStandby(Node n, Node current, long now) {
        Probe p = n.probe();
        if (current == null) {
            n.standby(-1, null, false, "no primary to follow");
            return;
        }
        if (!p.receiverVisible() && !warnedAboutReceiverVisibility) {
            warnedAboutReceiverVisibility = true;
            log.warn("the application role cannot read pg_stat_wal_receiver's status (it lacks pg_read_all_stats): "
                    + "standbys are judged by their replay lag only. For earlier detection of a standby that stopped "
                    + "streaming: GRANT pg_read_all_stats TO <the application role>;");
        }
        boolean following;
        String why;
        if (p.receiverVisible()) {
            following = p.streaming() && (p.timeline() == 0 || p.timeline() == current.probe().timeline());
            why = !p.streaming() ? "its WAL receiver is not streaming"
                    : "streams timeline " + p.timeline() + ", the primary is on " + current.probe().timeline();
        } else {
            following = p.receiverRunning();
            why = "no WAL receiver process";
        }
        long primaryLsn = current.probe().currentLsn();
        long lagBytes = p.replayLsn() < 0 ? -1
                : Long.compareUnsigned(primaryLsn, p.replayLsn()) > 0 ? primaryLsn - p.replayLsn() : 0;
        Duration lag = p.replayLsn() < 0 ? null : history.lagOf(p.replayLsn(), now);
        n.standby(lagBytes, lag, following, why);
    }

    /** Whether the application role can see the WAL receivers' status (health shows it). */
    public boolean receiverStatusVisible() {
        return nodes.stream().map(Node::probe).filter(Objects::nonNull).filter(Probe::inRecovery)
                .allMatch(Probe::receiverVisible);
    }

    /** Stops probing and closes every node's pools. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        nodes.forEach(n -> n.pools().close());
    }
}
