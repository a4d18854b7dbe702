package ru.otus.socialnet.chaos;

import java.util.Arrays;

/**
 * What keeps the campaign's cluster highly available — the thing under test besides the service.
 * Both are driven through the same cluster-command contract ({@code ClusterControl}); they differ in
 * who decides that a primary is gone and promotes a standby.
 */
public enum Engine {

    /**
     * bin/cluster: the project's own scripted failover. Nothing promotes by itself: the nemesis runs
     * {@code failover} where an operator would, and the healer repairs with the project's commands
     * (failover, rejoin, reclone).
     */
    LOCAL("local", "bin/cluster", "the project's scripted failover (bin/cluster failover, run by the nemesis and the healer)"),

    /**
     * bin/patroni-cluster: Patroni with etcd promotes by itself when the leader key expires (ttl). The
     * nemesis's {@code failover} only waits for Patroni's election; the healer never promotes anything
     * and only starts again what a fault stopped.
     */
    PATRONI("patroni", "bin/patroni-cluster",
            "Patroni's automatic failover (leader key in etcd, ttl 10 s); the healer only starts again what a fault stopped");

    public final String cliName;
    /** The cluster command, relative to the repository. */
    public final String command;
    public final String description;

    Engine(String cliName, String command, String description) {
        this.cliName = cliName;
        this.command = command;
        this.description = description;
    }

    /**
     * The bound on a fault's write outage, p99: 10 s for every fault, but 20 s for a lost
     * leader under Patroni with ttl 10 s (CloudNativePG's bar on lease-based clusters: detection is
     * the lease's expiry).
     */
    public long writeOutageTargetMs(boolean lostLeader) {
        return this == PATRONI && lostLeader ? 20_000 : 10_000;
    }

    public static Engine of(String name) {
        return Arrays.stream(values()).filter(e -> e.cliName.equals(name.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--cluster must be local or patroni, not " + name));
    }
}
