package ru.otus.socialnet.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.cluster.ClusterControl.Event;

/** The verdict and the report, from counts given here (the drills on real clusters are the ITs). */
class DrillReportTest {

    static DrillResult result(String mode, Set<String> lost, Map<String, Long> duplicated) {
        DrillOptions o = new DrillOptions(mode, 2, Duration.ofSeconds(20), Duration.ofSeconds(5), true,
                URI.create("http://127.0.0.1:1"), Path.of("target/drill/unit.md"));
        return new DrillResult("run1", o, "primary", "replica1", 10, Set.of("run1-0-0", "run1-0-1"), lost, duplicated,
                Set.of("run1-0-2"), Set.of("run1-0-2"), Map.of(WriteLoad.Outcome.OUTCOME_UNKNOWN_504, 1L),
                List.of(new Event(1_000, "kill -9 primary"), new Event(2_000, "promoted replica1")), 0, 1_000, 2_500, 1);
    }

    @Test
    void aDuplicateFailsTheDrillInEitherModeLikeALoss() {
        for (String mode : List.of("quorum", "async")) {
            DrillResult r = result(mode, Set.of(), Map.of("run1-0-1", 2L));
            assertThat(r.failed()).as(mode).isTrue();
            assertThat(DrillReport.markdown(r, null)).contains("FAILED (exit 1): 0 acknowledged write(s) lost, 1 write(s) "
                    + "stored more than once", "**stored more than once (duplicated)** | **1**", "run1-0-1 (2)");
        }
    }

    @Test
    void aLossFailsTheDrillAndAnAnswer504IsNeitherAcknowledgedNorLost() {
        DrillResult r = result("async", Set.of("run1-0-1"), Map.of());
        assertThat(r.failed()).isTrue();
        String md = DrillReport.markdown(r, null);
        assertThat(md).contains("FAILED (exit 1): 1 acknowledged write(s) lost", "this is the loss it risks",
                "answered 504, commit outcome unknown (maybe stored: never acknowledged, never lost) | 1",
                "| OUTCOME_UNKNOWN_504 | 1 |", "kill (node down) → first acknowledged write (ms) | 1500");
        assertThat(DrillReport.markdown(result("quorum", Set.of(), Map.of()), null)).contains("PASSED (exit 0)");
    }

    @Test
    void theRejoinSectionSaysWhetherItRanAndTheIncompleteReportKeepsTheTimeline() {
        DrillResult r = result("quorum", Set.of(), Map.of());
        assertThat(DrillReport.markdown(r, null)).contains("## Rejoin (after the count)\n\nnot run yet");
        assertThat(DrillReport.markdown(r, new DrillRejoin(false, List.of(), -1, "pg_rewind failed")))
                .contains("PASSED (exit 0)", "DID NOT COMPLETE", "pg_rewind failed");
        assertThat(DrillReport.markdown(r, new DrillRejoin(true, List.of(new Event(9_000, "primary rejoined")), 2, null)))
                .contains("| 9000 | 8000 | primary rejoined |", "standbys streaming from `replica1`: 2");

        DrillIncomplete e = new DrillIncomplete("could not fail over: exit 3", r.options(),
                List.of(new Event(1_000, "kill -9 primary (postmaster and its processes)")), 0, null);
        assertThat(DrillReport.incomplete(e)).contains("INCOMPLETE (exit 2)", "could not fail over: exit 3",
                "| 1000 | 0 | kill -9 primary");
    }
}
