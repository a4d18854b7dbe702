package ru.otus.socialnet.chaos;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The nemesis's menu: every fault the campaign can inject, by the name {@code --faults} takes. The
 * weight is how often the schedule draws it relative to the others.
 */
public enum FaultKind {
    KILL_PRIMARY("kill-primary", 3, false, "kill -9 of the primary, then the project's failover; later the old primary rejoins"),
    KILL_REPLICA("kill-replica", 2, false, "kill -9 of a replica; later it is started again"),
    PAUSE("pause", 2, false, "SIGSTOP of a node (primary or replica) for a few seconds: a hung server"),
    PARTITION_REPLICA("partition-replica", 2, true, "a replica cut off the network for a few seconds (alive)"),
    PARTITION_PRIMARY("partition-primary", 2, true,
            "the primary cut off but alive; usually a failover meanwhile, then the network heals with two primaries"),
    SLOW_REPLICA("slow-replica", 2, true, "a replica's link made slow and lossy (delay, loss)"),
    STALE_PRIMARY("stale-primary", 2, false,
            "kill -9 of the primary, failover, then the old primary started again by hand (pg_ctl start, no rejoin)"),
    RESTART_SERVICE("restart-service", 1, false, "one instance of the service restarted mid-load (SIGTERM, or SIGKILL as a crash)"),
    DOUBLE_FAILURE("double-failure", 1, false,
            "kill -9 of the primary, failover, kill -9 of the new primary, then bin/cluster up");

    public final String cliName;
    final int weight;
    public final boolean network;
    public final String description;

    FaultKind(String cliName, int weight, boolean network, String description) {
        this.cliName = cliName;
        this.weight = weight;
        this.network = network;
        this.description = description;
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
}
