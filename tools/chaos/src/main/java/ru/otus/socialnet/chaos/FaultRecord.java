package ru.otus.socialnet.chaos;

import java.util.List;

/**
 * A fault as it was injected and undone: what, on which node, when, every step taken (the
 * nemesis's and the cluster scripts' events), the project's cluster commands that failed on the way
 * (a failover, rejoin or up that exits non-zero) and, when the cluster could not be healed, why.
 */
public record FaultRecord(int number, Fault fault, String target, long startMs, long endMs, List<Step> steps,
                          List<String> toolFailures, String healProblem) {

    public record Step(long atMs, String text) {
    }

    public boolean healed() {
        return healProblem == null;
    }
}
