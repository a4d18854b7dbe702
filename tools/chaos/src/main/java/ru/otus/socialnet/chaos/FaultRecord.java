package ru.otus.socialnet.chaos;

import java.util.List;

/**
 * A fault as it was injected and undone: what, on which node, when, every step taken (the
 * nemesis's and the cluster scripts' events), the project's cluster commands that failed on the way
 * (a failover, rejoin or up that exits non-zero) and, when the cluster could not be healed, why.
 *
 * @param outOfRotationMs {@link FaultKind#REPLAY_PAUSE}: how long after its replay was paused the standby was out
 *                        of the read rotation of every service instance ({@link #NEVER}: not while paused);
 *                        {@link #NOT_MEASURED} for every other fault
 */
public record FaultRecord(int number, Fault fault, String target, long startMs, long endMs, List<Step> steps,
                          List<String> toolFailures, String healProblem, long outOfRotationMs) {

    public static final long NOT_MEASURED = -2;
    public static final long NEVER = -1;

    public FaultRecord(int number, Fault fault, String target, long startMs, long endMs, List<Step> steps,
            List<String> toolFailures, String healProblem) {
        this(number, fault, target, startMs, endMs, steps, toolFailures, healProblem, NOT_MEASURED);
    }

    public record Step(long atMs, String text) {
    }

    public boolean healed() {
        return healProblem == null;
    }
}
