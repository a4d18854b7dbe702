package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.util.List;

/**
 * Injects one fault at a time through the project's own tools ({@code bin/cluster}: kill, failover,
 * rejoin, partition...), undoes it, and has the {@link Healer} make the cluster whole before the
 * next. Whatever could not be healed is the fault's finding.
 */
final class Nemesis {

    private final ClusterSteps cluster;
    private final Healer healer;
    private final List<ServiceProcess> services;

    /** @param services the service's instances: a restart fault restarts one of them, the others keep serving */
    Nemesis(ClusterSteps cluster, Healer healer, List<ServiceProcess> services) {
        this.cluster = cluster;
        this.healer = healer;
        this.services = List.copyOf(services);
    }

    /** Injects the fault, undoes it, heals the cluster; never throws for what the cluster does. */
    FaultRecord inject(int number, Fault f) {
        cluster.begin();
        long start = System.currentTimeMillis();
        String target = null;
        cluster.step("fault " + number + ": " + f.describe());
        try {
            target = switch (f.kind()) {
                case KILL_PRIMARY -> killPrimary(f);
                case KILL_REPLICA -> forAWhile(f, "kill", "start", cluster.replica(f.pick()));
                case PAUSE -> forAWhile(f, "pause", "resume", f.onPrimary() ? cluster.primary() : cluster.replica(f.pick()));
                case PARTITION_REPLICA -> forAWhile(f, "partition", "heal", cluster.replica(f.pick()));
                case PARTITION_PRIMARY -> partitionPrimary(f);
                case SLOW_REPLICA -> forAWhile(f, "delay", "heal", cluster.replica(f.pick()), Integer.toString(f.delayMs()),
                        Integer.toString(f.lossPercent()));
                case STALE_PRIMARY -> stalePrimary(f);
                case RESTART_SERVICE -> restartService(f, f.variant());
                case DOUBLE_FAILURE -> doubleFailure(f);
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
                cluster.toolFailures(), problem);
    }

    /** A fault on one node for the fault's hold: {@code on}, the hold, then {@code off} whatever happened meanwhile. */
    private String forAWhile(Fault f, String on, String off, String node, String... parameters) {
        String[] command = new String[parameters.length + 2];
        command[0] = on;
        command[1] = node;
        System.arraycopy(parameters, 0, command, 2, parameters.length);
        cluster.events(command);
        try {
            Daemons.sleep(f.holdMs());
        } finally {
            cluster.events(off, node);
        }
        return node;
    }

    private String killPrimary(Fault f) {
        String p = killPrimaryAndFailOver();
        Daemons.sleep(f.holdMs());
        healer.rejoin(p);
        return p;
    }

    /** kill -9 of the primary and the project's failover right away; returns the killed node. */
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
        cluster.step("both " + p + " and " + promoted + " are down; bin/cluster up");
        cluster.events("up");
        return p + "+" + promoted;
    }
}
