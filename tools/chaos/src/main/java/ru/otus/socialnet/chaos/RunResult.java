package ru.otus.socialnet.chaos;

import java.util.List;

/**
 * One run of a campaign: its faults, what the checker found, or why the harness could not finish it.
 *
 * @param harnessError  set when the harness itself failed (the run proves nothing either way)
 * @param plotted       whether the timeline plot was drawn
 */
public record RunResult(int number, String runId, long seedOfRun, long startMs, long loadStartMs, long loadEndMs,
                        long endMs, List<FaultRecord> faults, Findings findings, List<Timelines.Interval> splitBrain,
                        String harnessError, boolean plotted) {

    public boolean passed(String mode) {
        return harnessError == null && findings != null && findings.passed(mode);
    }

    /** Seconds since the load started, for reports and plots. */
    double t(long epochMs) {
        return (epochMs - loadStartMs) / 1000.0;
    }
}
