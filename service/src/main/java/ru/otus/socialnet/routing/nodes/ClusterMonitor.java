package ru.otus.socialnet.routing.nodes;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.SQLExceptionOverride;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Watches every node named in {@code PG_AUTHORITY_*} and decides, from what the servers say, which
 * one takes the writes and which ones serve the reads ({@link Topology}).
 *
 * <p>Each node is probed every {@code pg.routing.monitor-interval} on a thread of its own and through
 * a connection of its own, with short timeouts: a dead or hung node never delays the news of the
 * others, and a busy request pool never looks like a dead node. A request that finds a node failing
 * reports it ({@link #nodeFailed}): the node is out at once and re-probed right away.
 *
 * <p>The roles themselves — one cluster, the newest timeline, fencing, who follows the primary —
 * are decided by {@link RoleDecision} from the probes alone; the monitor keeps its memory between
 * decisions for as long as the service runs.
 */
public final class ClusterMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterMonitor.class);

    private final List<Node> nodes;
    private final boolean readsOnStandbys;
    private final RoutingProperties settings;
    private final RoutingMetrics metrics;
    private final WalHistory history = new WalHistory(600);
    private final SchemaGate schema = new SchemaGate();
    private final ScheduledExecutorService scheduler;
    private final AbandonedSessions abandoned;

    private volatile Topology topology = Topology.NONE;
    private RoleDecision.Memory memory = RoleDecision.Memory.NONE;
    private volatile boolean warnedAboutReceiverVisibility;
    private volatile boolean warnedAboutSyncVisibility;
    private final Object catchUpLock = new Object();
    private CompletableFuture<Void> catchUpRound;
    private long catchUpStartedNanos;
    private final AtomicLong lastAskedProbeNanos = new AtomicLong(System.nanoTime());

    public ClusterMonitor(PgProperties pg, RoutingProperties settings, RoutingMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.readsOnStandbys = pg.authority().readsOnStandbys();
        List<HostPort> addresses = pg.authority().nodes();
        AtomicInteger n = new AtomicInteger();
        // one thread per node for the periodic probes, one more for probes asked for by requests
        this.scheduler = Executors.newScheduledThreadPool(addresses.size() + 1, r -> {
            Thread t = new Thread(r, "cluster-monitor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.abandoned = new AbandonedSessions(scheduler, metrics);
        List<Node> all = new ArrayList<>();
        for (HostPort address : addresses) {
            Node node = new Node(address, settings, metrics);
            node.attach(NodePools.create(address, pg, reporterFor(node), pid -> abandoned.end(node, pid)));
            metrics.watch(node);
            all.add(node);
        }
        this.nodes = List.copyOf(all);
    }

    /** Probes every node once, in parallel (so the first requests route on facts), then keeps probing. */
    public void start() {
        probeAll();
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
            probeAll();
        }
    }

    /** Probes every node now, in parallel; returns the topology decided from those probes. */
    public Topology probeAll() {
        nodes.parallelStream().forEach(this::probe);
        return topology;
    }

    public Topology topology() {
        return topology;
    }

    public boolean readsOnStandbys() {
        return readsOnStandbys;
    }

    /** Whether the schema is in place on the cluster followed: requests are served only then. */
    public SchemaGate schema() {
        return schema;
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
     * Like {@link #probeSoon}, at most once per {@code every} whatever the number of requests asking:
     * for a refusal the next probe may lift (writes refused while no standby can confirm a commit),
     * so writes are taken again within about that long of a standby's return, not a monitor tick.
     */
    void probeSoonAtMostEvery(Node node, Duration every) {
        long now = System.nanoTime();
        long last = lastAskedProbeNanos.get();
        if (now - last >= every.toNanos() && lastAskedProbeNanos.compareAndSet(last, now)) {
            probeSoon(node);
        }
    }

    /**
     * Probes every node at once and waits up to {@code pg.routing.token-wait} for the round: one
     * round at a time, shared by the requests that ask meanwhile, and no sooner than token-wait
     * after the last (a stream of tokens from a timeline that does not exist probes no faster).
     * For a request that met news this instance may have missed: a token of a newer timeline.
     */
    Topology catchUp() {
        CompletableFuture<Void> round;
        synchronized (catchUpLock) {
            long now = System.nanoTime();
            round = catchUpRound;
            if (round == null || (round.isDone() && now - catchUpStartedNanos >= settings.tokenWait().toNanos())) {
                catchUpStartedNanos = now;
                round = CompletableFuture.allOf(nodes.stream()
                        .map(n -> CompletableFuture.runAsync(() -> probe(n), scheduler))
                        .toArray(CompletableFuture[]::new));
                catchUpRound = round;
            }
        }
        try {
            round.get(settings.tokenWait().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.debug("catching up with a newer timeline: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return topology;
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
            if (NodeFailure.isSchemaMissing(failure)) {
                schema.relationMissing(node.name(), failure.getMessage());
            }
            if (verdict.nodeIsDown()) {
                nodeFailed(node, verdict.name().toLowerCase().replace('_', ' ') + ": " + failure.getMessage());
            }
            if (NodeFailure.isReadOnlyServer(failure)) {
                // A write on a server in recovery: this connection is not to the primary it was taken
                // for (the node's name moved, or it was demoted). Not back into the pool; the probe tells.
                probeSoon(node);
                return Override.MUST_EVICT;
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

    /**
     * Decides every node's role from the latest probes ({@link RoleDecision}), applies the verdicts
     * to the nodes and publishes a new {@link Topology}.
     */
    synchronized void recompute() {
        List<Node> answering = nodes.stream().filter(n -> n.probe() != null && !n.isBanned()).toList();
        RoleDecision.Decision decision = RoleDecision.decide(memory,
                answering.stream().map(n -> new RoleDecision.Seen(n.name(), n.probe())).toList());
        if (decision.forgotten() != 0) {
            log.warn("no node answers with system identifier {} any more; {} does: the cluster was "
                    + "re-initialised, the timeline memory starts again", decision.forgotten(), decision.memory().systemId());
        }
        memory = decision.memory();
        Node current = answering.stream().filter(n -> n.name().equals(decision.primary())).findFirst().orElse(null);
        if (current != null && current != topology.primary()) {
            log.info("writes go to {} (primary on timeline {})", current.name(), current.probe().timeline());
            history.clear();
        }
        if (current != null) {
            history.record(current.probe().takenAtNanos(), current.probe().currentLsn());
        }
        long now = System.nanoTime();
        for (Node n : answering) {
            apply(n, decision.of(n.name()), now);
        }
        List<Node> ours = answering.stream().filter(n -> decision.of(n.name()).role() != RoleDecision.Role.FOREIGN).toList();
        List<Node> inRotation = ours.stream().filter(Node::inRotation).toList();
        List<Node> standbys = ours.stream().filter(Node::answeringStandby).toList();
        List<Node> fenced = ours.stream().filter(n -> n.state() == Node.State.FENCED).toList();
        if (!Objects.equals(decision.writesRefused(), topology.writesRefused())) {
            if (decision.writesRefused() != null) {
                log.warn("writes refused: {}", decision.writesRefused());
            } else if (current != null && current == topology.primary()) {
                log.info("writes taken again: the primary's commits can be acknowledged");
            }
        }
        topology = new Topology(current, inRotation, standbys, fenced, memory.lastPrimaryPosition(),
                memory.newestTimeline(), decision.writesRefused(), memory.systemId());
    }

    private void apply(Node n, RoleDecision.Verdict verdict, long now) {
        switch (verdict.role()) {
            case PRIMARY, FENCED -> {
                SyncCommit sync = n.probe().syncCommit();
                if (sync != null && sync.required() > 0 && !sync.visible() && !warnedAboutSyncVisibility) {
                    warnedAboutSyncVisibility = true;
                    log.warn("the primary's commits wait for standbys (synchronous_standby_names = '{}'), and the "
                            + "application role cannot see which standbys can confirm them (it lacks pg_read_all_stats): "
                            + "writes are not refused up front while none can; each then waits its socket timeout. "
                            + "GRANT pg_read_all_stats TO <the application role>;", sync.standbyNames());
                }
                n.primary(verdict.role() == RoleDecision.Role.PRIMARY, verdict.reason());
            }
            case FOREIGN -> n.standby(-1, null, false, verdict.reason());
            case STANDBY -> {
                Probe p = n.probe();
                if (!p.receiverVisible() && !warnedAboutReceiverVisibility) {
                    warnedAboutReceiverVisibility = true;
                    log.warn("the application role cannot read pg_stat_wal_receiver's status (it lacks pg_read_all_stats): "
                            + "standbys are judged by their replay lag only. For earlier detection of a standby that stopped "
                            + "streaming: GRANT pg_read_all_stats TO <the application role>;");
                }
                // With no primary the standby's last lag figures stand (null lag, -1 bytes).
                Duration lag = verdict.lagBytes() < 0 ? null : history.lagOf(p.replayLsn(), now);
                n.standby(verdict.lagBytes(), lag, verdict.following(), verdict.reason());
            }
        }
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
