package ru.otus.socialnet.chaos;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import static ru.otus.socialnet.chaos.FaultKind.Engines.BOTH;
import static ru.otus.socialnet.chaos.FaultKind.Engines.LOCAL_ONLY;
import static ru.otus.socialnet.chaos.FaultKind.Engines.PATRONI_ONLY;

/**
 * The nemesis's menu: every fault the campaign can inject, by the name {@code --faults} takes. The
 * weight is how often the schedule draws it relative to the others.
 */
public enum FaultKind {
    KILL_PRIMARY("kill-primary", 3, false, BOTH, "kill -9 of the primary, then the failover; later the old primary rejoins"),
    KILL_REPLICA("kill-replica", 2, false, BOTH, "kill -9 of a replica; later it is started again"),
    PAUSE("pause", 2, false, BOTH, "SIGSTOP of a node (primary or replica) for a few seconds: a hung server"),
    PARTITION_REPLICA("partition-replica", 2, true, BOTH, "a replica cut off the network for a few seconds (alive)"),
    PARTITION_PRIMARY("partition-primary", 2, true, BOTH,
            "the primary cut off but alive; usually a failover meanwhile, then the network heals with two primaries"),
    SLOW_REPLICA("slow-replica", 2, true, BOTH, "a replica's link made slow and lossy (delay, loss)"),
    STALE_PRIMARY("stale-primary", 2, false, LOCAL_ONLY,
            "kill -9 of the primary, failover, then the old primary started again by hand (pg_ctl start, no rejoin)"),
    RESTART_SERVICE("restart-service", 1, false, BOTH, "one instance of the service restarted mid-load (SIGTERM, or SIGKILL as a crash)"),
    DOUBLE_FAILURE("double-failure", 1, false, BOTH,
            "kill -9 of the primary, failover, kill -9 of the new primary, then the cluster's up"),
    REPLAY_PAUSE("replay-pause", 2, false, BOTH,
            "a replica's WAL replay paused while it keeps receiving: it must leave the read rotation by the lag bound"),
    LOSSY_LINK("lossy-link", 2, true, BOTH, "a node's packets lost and duplicated (iptables statistic DROP and TEE)"),
    CUT_SERVICE("cut-service", 2, true, BOTH,
            "the service cut off from the primary (its packets dropped), the standbys still streaming from it"),
    KILL_AGENT("kill-agent", 2, false, PATRONI_ONLY, "kill -9 of a node's Patroni alone: its PostgreSQL runs on unmanaged"),
    KILL_POSTGRES("kill-postgres", 2, false, PATRONI_ONLY, "kill -9 of a node's PostgreSQL alone: its Patroni starts it again"),
    PAUSE_AGENT("pause-agent", 2, false, PATRONI_ONLY, "a frozen Patroni agent (SIGSTOP of the agent alone) while its PostgreSQL runs on"),
    PAUSE_POSTGRES("pause-postgres", 1, false, PATRONI_ONLY, "a hung PostgreSQL (SIGSTOP) whose Patroni still talks to etcd"),
    PARTITION_AGENT("partition-agent", 2, true, PATRONI_ONLY,
            "a node's Patroni cut off (REST and etcd traffic dropped) while its PostgreSQL stays reachable"),
    PARTITION_POSTGRES("partition-postgres", 1, true, PATRONI_ONLY,
            "a node's PostgreSQL cut off (its server's traffic dropped) while its Patroni still talks to etcd"),
    DCS_LOSS("dcs-loss", 1, false, PATRONI_ONLY, "etcd stopped for longer than the ttl, failsafe_mode off"),
    DCS_LOSS_FAILSAFE("dcs-loss-failsafe", 1, false, PATRONI_ONLY, "etcd stopped for longer than the ttl, failsafe_mode on");

    public final String cliName;
    final int weight;
    public final boolean network;
    /** The engines this fault applies to (a stale primary started by hand is the local cluster's; an agent is Patroni's). */
    public final Set<Engine> engines;
    public final String description;

    FaultKind(String cliName, int weight, boolean network, Set<Engine> engines, String description) {
        this.cliName = cliName;
        this.weight = weight;
        this.network = network;
        this.engines = engines;
        this.description = description;
    }

    /**
     * In how many draws of 100 a fault that may hit either kind of node hits the primary: the faults
     * of one part of a Patroni node are about what its leader does, the older ones keep their draws.
     */
    int primaryPercent() {
        return engines.equals(PATRONI_ONLY) || this == LOSSY_LINK ? 60 : 40;
    }

    /** The kind named {@code name} on the command line. */
    public static FaultKind of(String name) {
        return Arrays.stream(values()).filter(k -> k.cliName.equals(name.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown fault '" + name + "'; the menu is: " + names(all())));
    }

    /** {@code kill-primary,pause,...} as a set; "all" for the whole menu. */
    public static Set<FaultKind> parse(String list) {
        if (list.isBlank() || list.strip().equals("all")) {
            return all();
        }
        Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        for (String name : list.split(",")) {
            kinds.add(of(name));
        }
        return kinds;
    }

    public static Set<FaultKind> all() {
        return EnumSet.allOf(FaultKind.class);
    }

    public static String names(Set<FaultKind> kinds) {
        return kinds.stream().map(k -> k.cliName).collect(Collectors.joining(","));
    }

    /** Every fault that applies to ENGINE (and, without the network, none of the network's). */
    public static Set<FaultKind> menu(Engine engine, boolean network) {
        Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        for (FaultKind k : values()) {
            if (k.engines.contains(engine) && (network || !k.network)) {
                kinds.add(k);
            }
        }
        return kinds;
    }

    /** The engine sets, as constants an enum constructor can name. */
    static final class Engines {
        static final Set<Engine> BOTH = Set.of(Engine.LOCAL, Engine.PATRONI);
        static final Set<Engine> LOCAL_ONLY = Set.of(Engine.LOCAL);
        static final Set<Engine> PATRONI_ONLY = Set.of(Engine.PATRONI);

        private Engines() {
        }
    }
}
