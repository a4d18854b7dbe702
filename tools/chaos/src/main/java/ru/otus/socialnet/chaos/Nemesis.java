package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ru.otus.socialnet.cluster.ClusterControl.Node;

/**
 * Injects one fault at a time through the cluster command ({@code bin/cluster} or
 * {@code bin/patroni-cluster}: kill, failover, rejoin, partition...), undoes it, and has the
 * {@link Healer} make the cluster whole before the next. Whatever could not be healed is the fault's
 * finding. The same steps serve both engines: Patroni's {@code failover} waits for Patroni's own
 * election, its {@code rejoin} starts the agent and waits until Patroni has the node streaming.
 */
final class Nemesis {

    /** The faults after which a primary may run on, unmanaged, on an older timeline: its rows are counted before it is undone. */
    private static final Set<FaultKind> LEAVE_A_STALE_PRIMARY = Set.of(FaultKind.KILL_AGENT, FaultKind.PAUSE_AGENT,
            FaultKind.PARTITION_AGENT);

    private final ClusterSteps cluster;
    private final Healer healer;
    private final List<ServiceProcess> services;
    /** What the fault under way measured of the read rotation (a paused replay). */
    private long outOfRotationMs;

    /** @param services the service's instances: a restart fault restarts one of them, the others keep serving */
    Nemesis(ClusterSteps cluster, Healer healer, List<ServiceProcess> services) {
        this.cluster = cluster;
        this.healer = healer;
        this.services = List.copyOf(services);
    }

    /** Injects the fault, undoes it, heals the cluster; never throws for what the cluster does. */
    FaultRecord inject(int number, Fault f) {
        cluster.begin();
        outOfRotationMs = FaultRecord.NOT_MEASURED;
        long start = System.currentTimeMillis();
        String target = null;
        cluster.step("fault " + number + ": " + f.describe());
        try {
            target = switch (f.kind()) {
                case KILL_PRIMARY -> killPrimary(f);
                case KILL_REPLICA -> forAWhile(f, "kill", "start", cluster.replica(f.pick()));
                case PAUSE -> forAWhile(f, "pause", "resume", node(f));
                case PARTITION_REPLICA -> forAWhile(f, "partition", "heal", cluster.replica(f.pick()));
                case PARTITION_PRIMARY -> partitionPrimary(f);
                case SLOW_REPLICA -> forAWhile(f, "delay", "heal", cluster.replica(f.pick()), Integer.toString(f.delayMs()),
                        Integer.toString(f.lossPercent()));
                case STALE_PRIMARY -> stalePrimary(f);
                case RESTART_SERVICE -> restartService(f, f.variant());
                case DOUBLE_FAILURE -> doubleFailure(f);
                case REPLAY_PAUSE -> replayPause(f);
                case LOSSY_LINK -> forAWhile(f, "lossy", "heal", node(f), Integer.toString(f.lossPercent()),
                        Integer.toString(f.duplicatePercent()));
                case CUT_SERVICE -> forAWhile(f, "cut-service", "heal", cluster.primary());
                case KILL_AGENT -> forAWhile(f, "kill", "start", node(f), "agent");
                case KILL_POSTGRES -> once("kill", node(f), "postgres");
                case PAUSE_AGENT -> forAWhile(f, "pause", "resume", node(f), "agent");
                case PAUSE_POSTGRES -> forAWhile(f, "pause", "resume", node(f), "postgres");
                case PARTITION_AGENT -> forAWhile(f, "partition", "heal", node(f), "agent");
                case PARTITION_POSTGRES -> forAWhile(f, "partition", "heal", node(f), "postgres");
                case DCS_LOSS -> dcsLoss(f, false);
                case DCS_LOSS_FAILSAFE -> dcsLoss(f, true);
            };
        } catch (RuntimeException e) {
            cluster.step("a step of the fault failed: " + ClusterSteps.firstLine(e.getMessage()));
        }
        String problem = null;
        try {
            healer.heal();
        } catch (Healer.Failure e) {
            problem = e.getMessage();
            cluster.step("NOT HEALED: " + problem);
        }
        return new FaultRecord(number, f, target, start, System.currentTimeMillis(), cluster.steps(),
                cluster.toolFailures(), problem, outOfRotationMs);
    }

    /** The primary or a replica, as the fault drew it. */
    private String node(Fault f) {
        return f.onPrimary() ? cluster.primary() : cluster.replica(f.pick());
    }

    /** A fault on one node for the fault's hold: {@code on}, the hold, then {@code off} whatever happened meanwhile. */
    private String forAWhile(Fault f, String on, String off, String node, String... parameters) {
        once(on, node, parameters);
        try {
            Daemons.sleep(f.holdMs());
        } finally {
            if (LEAVE_A_STALE_PRIMARY.contains(f.kind())) {
                healer.noteStalePrimaries(); // before its agent is back and rewinds it
            }
            cluster.events(off, node);
        }
        return node;
    }

    /** One command on one node ({@code kill NODE postgres}, say); returns the node. */
    private String once(String command, String node, String... parameters) {
        String[] args = new String[parameters.length + 2];
        args[0] = command;
        args[1] = node;
        System.arraycopy(parameters, 0, args, 2, parameters.length);
        cluster.events(args);
        return node;
    }

    private String killPrimary(Fault f) {
        String p = killPrimaryAndFailOver();
        Daemons.sleep(f.holdMs());
        healer.rejoin(p);
        return p;
    }

    /** kill -9 of the primary and the failover right away (Patroni's: waiting for its election); returns the killed node. */
    private String killPrimaryAndFailOver() {
        String p = cluster.primary();
        cluster.events("kill", p);
        cluster.events("failover");
        return p;
    }

    private String partitionPrimary(Fault f) {
        String p = cluster.primary();
        cluster.events("partition", p);
        Daemons.sleep(f.holdMs());
        if (!f.variant()) {
            cluster.events("heal", p);
            return p;
        }
        // Cut off but alive: the others cannot reach it, so the failover promotes a standby...
        cluster.events("failover");
        // ...and when the network heals, the old primary is back, still a primary, on the old timeline.
        cluster.events("heal", p);
        Daemons.sleep(f.secondHoldMs());
        healer.stopStale(p);
        healer.rejoin(p);
        return p;
    }

    private String stalePrimary(Fault f) {
        String p = killPrimaryAndFailOver();
        Daemons.sleep(f.holdMs());
        // An operator's "pg_ctl start" on the old primary: bin/cluster's own start would refuse it.
        cluster.events("start-unguarded", p);
        cluster.step("started " + p + " again as it was (pg_ctl start, no rejoin)");
        String restarted = null;
        if (f.variant()) {
            // A deploy while the stale node is up: the restarted instance's pools connect afresh, and it
            // knows no timeline but what it finds.
            Daemons.sleep(f.secondHoldMs() / 2);
            restarted = restartService(f, true);
            Daemons.sleep(f.secondHoldMs() / 2);
        } else {
            Daemons.sleep(f.secondHoldMs());
        }
        healer.stopStale(p);
        healer.rejoin(p);
        return restarted == null ? p : p + ", " + restarted + " restarted";
    }

    /**
     * SIGTERM (graceful) or SIGKILL (a crash) to one instance of the service — the fault's, drawn from
     * the seed — then a fresh start, as a rolling restart does; returns once it answers again.
     */
    private String restartService(Fault f, boolean graceful) {
        ServiceProcess service = services.get(f.serviceInstance(services.size()));
        cluster.step((graceful ? "SIGTERM" : "SIGKILL") + " to " + service + (services.size() > 1
                ? " (of " + services.size() + " instances; the others keep serving)" : " (the only instance)"));
        try {
            service.stop(graceful);
            cluster.step(service + " stopped; starting it again");
            service.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the service: " + e.getMessage(), e);
        }
        cluster.step(service + " answers again");
        return service.toString();
    }

    private String doubleFailure(Fault f) {
        String p = killPrimaryAndFailOver();
        String promoted = cluster.primary();
        Daemons.sleep(f.secondHoldMs());
        cluster.events("kill", promoted);
        cluster.step("both " + p + " and " + promoted + " are down; " + cluster.name() + " up");
        cluster.events("up");
        return p + "+" + promoted;
    }

    /**
     * A replica that receives WAL and applies none of it for the hold. Meanwhile every instance of the
     * service is asked (its health) whether it still reads from it: each must take it out of its
     * rotation once its lag passes the bound (pg.routing.max-lag). When the last one did is the record's
     * {@code outOfRotationMs}.
     */
    private String replayPause(Fault f) {
        String replica = cluster.replica(f.pick());
        String authority = cluster.nodes().stream().filter(n -> n.name().equals(replica)).map(Node::authority)
                .findFirst().orElseThrow();
        cluster.events("pause-replay", replica);
        long paused = System.currentTimeMillis();
        Map<ServiceProcess, Long> out = new HashMap<>();
        try {
            while (System.currentTimeMillis() < paused + f.holdMs()) {
                for (ServiceProcess s : services) {
                    Optional<Boolean> in = s.inRotation(authority);
                    if (in.isPresent() && !in.get() && !out.containsKey(s)) {
                        out.put(s, System.currentTimeMillis() - paused);
                        cluster.step(s + " took " + replica + " out of its read rotation after "
                                + ChaosReport.fmt(out.get(s) / 1000.0) + " s");
                    } else if (in.isPresent() && in.get()) {
                        out.remove(s); // back in while still paused: the time counts from its last exit
                    }
                }
                Daemons.sleep(Math.min(500, paused + f.holdMs() - System.currentTimeMillis()));
            }
        } finally {
            cluster.events("resume-replay", replica);
        }
        outOfRotationMs = out.size() == services.size() ? out.values().stream().mapToLong(Long::longValue).max().orElse(0)
                : FaultRecord.NEVER;
        return replica;
    }

    /**
     * etcd stopped for the hold, with Patroni's failsafe_mode on or off: without it the leader steps
     * down once it cannot renew its key; with it, it keeps leading while every member answers it.
     */
    private String dcsLoss(Fault f, boolean failsafe) {
        if (failsafe) {
            cluster.events("failsafe", "on");
        }
        try {
            cluster.events("dcs", "stop");
            Daemons.sleep(f.holdMs());
        } finally {
            cluster.events("dcs", "start");
            if (failsafe) {
                cluster.quietly(() -> cluster.events("failsafe", "off"));
            }
        }
        return "etcd";
    }
}
