package ru.otus.socialnet.chaos;

/**
 * One fault as the schedule drew it. Which node it hits is decided when it is injected, from the
 * roles at that moment: {@code pick} chooses among the candidates (sorted by name), so the same seed
 * hits the same node whenever the cluster is in the same state.
 *
 * @param kind        what to inject
 * @param pick        chooses the target among the candidates (pick modulo their number)
 * @param onPrimary   {@link FaultKind#PAUSE}, {@link FaultKind#LOSSY_LINK} and the faults of one part of a Patroni
 *                    node: the primary, else a replica
 * @param holdMs      how long the fault lasts before the nemesis undoes it (per kind: see {@link #describe()})
 * @param secondHoldMs a second wait: the split-brain window after a partitioned primary's network heals,
 *                    the stale primary's time up, the time between the two kills of a double failure
 * @param delayMs     {@link FaultKind#SLOW_REPLICA}: added to every packet the replica sends
 * @param lossPercent {@link FaultKind#SLOW_REPLICA}, {@link FaultKind#LOSSY_LINK}: packets lost
 * @param duplicatePercent {@link FaultKind#LOSSY_LINK}: packets sent twice
 * @param variant     {@link FaultKind#PARTITION_PRIMARY}: fail over meanwhile; {@link FaultKind#RESTART_SERVICE}:
 *                    graceful (SIGTERM) rather than a crash (SIGKILL); {@link FaultKind#STALE_PRIMARY}: the
 *                    service restarts while the stale primary is up (its pool connects afresh, as after a deploy)
 * @param gapAfterMs  quiet time after the cluster is healed, before the next fault
 */
public record Fault(FaultKind kind, int pick, boolean onPrimary, long holdMs, long secondHoldMs, int delayMs,
                    int lossPercent, int duplicatePercent, boolean variant, long gapAfterMs) {

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
            case DOUBLE_FAILURE -> "kill -9 primary, failover, kill -9 the new primary after %.1f s, up"
                    .formatted(secondHoldMs / 1e3);
            case REPLAY_PAUSE -> "pause a replica's WAL replay for %.1f s".formatted(holdMs / 1e3);
            case LOSSY_LINK -> "%d %% of %s's packets lost, %d %% duplicated, for %.1f s".formatted(lossPercent, node(),
                    duplicatePercent, holdMs / 1e3);
            case CUT_SERVICE -> "the service cut off from the primary for %.1f s".formatted(holdMs / 1e3);
            case KILL_AGENT -> "kill -9 %s's Patroni alone; start it again after %.1f s".formatted(node(), holdMs / 1e3);
            case KILL_POSTGRES -> "kill -9 %s's PostgreSQL alone (its Patroni starts it)".formatted(node());
            case PAUSE_AGENT -> "SIGSTOP %s's Patroni alone for %.1f s".formatted(node(), holdMs / 1e3);
            case PAUSE_POSTGRES -> "SIGSTOP %s's PostgreSQL alone for %.1f s".formatted(node(), holdMs / 1e3);
            case PARTITION_AGENT -> "cut %s's Patroni off (REST, etcd) for %.1f s".formatted(node(), holdMs / 1e3);
            case PARTITION_POSTGRES -> "cut %s's PostgreSQL off for %.1f s".formatted(node(), holdMs / 1e3);
            case DCS_LOSS -> "stop etcd for %.1f s, failsafe_mode off".formatted(holdMs / 1e3);
            case DCS_LOSS_FAILSAFE -> "stop etcd for %.1f s, failsafe_mode on".formatted(holdMs / 1e3);
        };
    }

    /** "the primary" or "a replica", by {@link #onPrimary}. */
    private String node() {
        return onPrimary ? "the primary" : "a replica";
    }
}
