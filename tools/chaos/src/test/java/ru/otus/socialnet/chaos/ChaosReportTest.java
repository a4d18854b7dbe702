package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.chaos.Op.Kind;
import ru.otus.socialnet.chaos.Op.Outcome;

class ChaosReportTest {

    final ChaosOptions options = ChaosOptions.parse("--mode quorum --runs 2 --duration 40 --seed 5".split(" "));

    RunResult run(int n, Map<String, Integer> stored) {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op(Kind.WRITE, "s0", "m1", 1, 1_000, 1_100, Outcome.OK, 200, "1", null, "00000001/0/1", 1));
        ops.add(new Op(Kind.WRITE, "s0", "m2", 1, 1_200, 9_200, Outcome.UNKNOWN_504, 504, null, null, null, 1));
        ops.add(new Op(Kind.SEARCH, "q0", "", 1, 1_000, 1_010, Outcome.OK, 200, null, null, null, 1));
        ops.add(new Op(Kind.READ, "s0", "m1", 1, 1_150, 1_160, Outcome.OK, 200, "1", "00000001/0/1", null, 2));
        FaultRecord fault = CheckerTest.fault(1, 2_000, 5_000);
        Findings f = Checker.check(new Checker.Input(0, 40_000, ops, stored, true, List.of(), new Timelines(List.of()),
                List.of(fault)));
        return new RunResult(n, "c" + n, 5, 0, 0, 40_000, 45_000, List.of(fault), f, List.of(), null, true);
    }

    @Test
    void aRunsReportSaysWhatWasFoundWithExamplesAndTheVerdict() {
        String md = ChaosReport.run(options, run(1, Map.of("m1", 1, "m2", 2)));
        assertThat(md).startsWith("# Chaos run 1 of 2: quorum mode — FAILED")
                .contains("--seed 5", "**Verdict: FAILED** — 1 write(s) stored twice",
                        "| writes stored twice (rows per marker > 1) | **1** | 0 |",
                        "Stored twice (1): `m2 ×2 (sent: UNKNOWN_504)`", "UNKNOWN_504 (outcome unknown: maybe stored) | 1 | 0 | 0 |",
                        "![timeline: faults against throughput and latency](plot.png)", "### 1. ",
                        "through 2 service instances (:18095, :18096;",
                        "Token reads answered by another service instance than the one that acknowledged the write: 1 ",
                        "`service-1.log` … `service-2.log`");
    }

    @Test
    void theSummaryHasARowPerRunTotalsOutagesPerFaultAndTheVerdict() {
        List<RunResult> runs = List.of(run(1, Map.of("m1", 1)), run(2, Map.of("m1", 1, "m2", 2)));
        String md = ChaosReport.summary(options, runs);
        assertThat(md).startsWith("# Chaos campaign: quorum mode, 2 run(s) × 40 s — FAILED")
                .contains("| [1](run-01/report.md) |", "| [2](run-02/report.md) |", "| all | 2 | 2 | 0 | 1 |",
                        "FAILED (exit 1):", "- run 2: 1 write(s) stored twice",
                        "; 2 service instances (:18095, :18096; round-robin, a request that cannot connect to one goes "
                                + "to the next; a restart fault restarts one); the cluster kept available by the project's "
                                + "scripted failover");
        assertThat(ChaosCampaign.exitCode(options, runs)).isEqualTo(1);
        assertThat(ChaosCampaign.exitCode(options, List.of(runs.get(0)))).isZero();
    }

    @Test
    void aRunTheHarnessCouldNotFinishMakesTheCampaignAHarnessFailure() {
        RunResult broken = new RunResult(1, "c1", 5, 0, 0, 0, 1, List.of(), null, List.of(), "cannot start the service", false);
        List<RunResult> runs = List.of(broken, run(2, Map.of("m1", 1)));
        assertThat(ChaosReport.summary(options, runs)).contains("HARNESS FAILED", "harness failed: cannot start the service");
        assertThat(ChaosReport.run(options, broken)).contains("The harness failed: cannot start the service");
        assertThat(ChaosCampaign.exitCode(options, runs)).isEqualTo(2);
    }

    @Test
    void percentilesAreNearestRank() {
        List<Long> xs = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(ChaosReport.nearestRank(xs, 50)).isEqualTo(5);
        assertThat(ChaosReport.nearestRank(xs, 99)).isEqualTo(10);
        assertThat(ChaosReport.nearestRank(List.of(7L), 99)).isEqualTo(7);
    }

    @Test
    void thePlotsSeriesHasOneLinePerSecondOfLoad() {
        List<Op> ops = List.of(
                new Op(Kind.WRITE, "s0", "m1", 1, 100, 300, Outcome.OK, 200, "1", null, null, 1),
                new Op(Kind.WRITE, "s0", "m2", 1, 1_100, 1_900, Outcome.UNAVAILABLE_503, 503, null, null, null, 1),
                new Op(Kind.SEARCH, "q0", "", 1, 1_000, 1_020, Outcome.OK, 200, null, null, null, 1));
        assertThat(TimelinePlot.series(ops, 0, 2_000)).containsExactly(
                "# t_s writes_acked reads_served failed write_p50_ms write_max_ms read_p50_ms read_max_ms",
                "0 1 0 0 200 200 0 0",
                "1 0 1 1 0 0 20 20");
    }
}
