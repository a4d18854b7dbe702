package ru.otus.socialnet.chaos;

/**
 * One fault as the schedule drew it. Which node it hits is decided when it is injected, from the
 * roles at that moment: {@code pick} chooses among the candidates (sorted by name), so the same seed
 * hits the same node whenever the cluster is in the same state.
 *
 * @param kind        what to inject
 * @param pick        chooses the target among the candidates (pick modulo their number)
 * @param onPrimary   {@link FaultKind#PAUSE}: the primary, else a replica
 * @param holdMs      how long the fault lasts before the nemesis undoes it (per kind: see {@link #describe()})
 * @param secondHoldMs a second wait: the split-brain window after a partitioned primary's network heals,
 *                    the stale primary's time up, the time between the two kills of a double failure
 * @param delayMs     {@link FaultKind#SLOW_REPLICA}: added to every packet the replica sends
 * @param lossPercent {@link FaultKind#SLOW_REPLICA}: packets lost
 * @param variant     {@link FaultKind#PARTITION_PRIMARY}: fail over meanwhile; {@link FaultKind#RESTART_SERVICE}:
 *                    graceful (SIGTERM) rather than a crash (SIGKILL); {@link FaultKind#STALE_PRIMARY}: the
 *                    service restarts while the stale primary is up (its pool connects afresh, as after a deploy)
 * @param gapAfterMs  quiet time after the cluster is healed, before the next fault
 */
public record Fault(FaultKind kind, int pick, boolean onPrimary, long holdMs, long secondHoldMs, int delayMs,
                    int lossPercent, boolean variant, long gapAfterMs) {

    /**
     * Which of {@code instances} service instances (0-based) a service restart hits — of
     * {@link FaultKind#RESTART_SERVICE}, or of {@link FaultKind#STALE_PRIMARY}'s variant. From
     * {@code pick / 2}: the stale-primary variant is {@code pick % 2}, which would otherwise always
     * choose the same instance of two.
     */
    public int serviceInstance(int instances) {
        return (pick / 2) % instances;
    }

    /** What it does, in words, with its parameters (the target is named when it is injected). */
    public String describe() {
        return switch (kind) {
            case KILL_PRIMARY -> "kill -9 primary, failover; rejoin after %.1f s".formatted(holdMs / 1e3);
            case KILL_REPLICA -> "kill -9 a replica; start again after %.1f s".formatted(holdMs / 1e3);
            case PAUSE -> "SIGSTOP %s for %.1f s".formatted(onPrimary ? "the primary" : "a replica", holdMs / 1e3);
            case PARTITION_REPLICA -> "partition a replica for %.1f s".formatted(holdMs / 1e3);
            case PARTITION_PRIMARY -> variant
                    ? "partition the primary; failover after %.1f s; heal the network; two primaries for %.1f s; rejoin"
                    .formatted(holdMs / 1e3, secondHoldMs / 1e3)
                    : "partition the primary for %.1f s, no failover".formatted(holdMs / 1e3);
            case SLOW_REPLICA -> "delay a replica's packets %d ms, %d %% lost, for %.1f s".formatted(delayMs, lossPercent,
                    holdMs / 1e3);
            case STALE_PRIMARY -> ("kill -9 primary, failover; pg_ctl start of the old primary after %.1f s; up for %.1f s"
                    + (variant ? ", a service instance restarted meanwhile" : "") + "; rejoin").formatted(holdMs / 1e3, secondHoldMs / 1e3);
            case RESTART_SERVICE -> variant ? "restart a service instance (SIGTERM)"
                    : "restart a service instance (SIGKILL: a crash)";
            case DOUBLE_FAILURE -> "kill -9 primary, failover, kill -9 the new primary after %.1f s, bin/cluster up"
                    .formatted(secondHoldMs / 1e3);
        };
    }
}
