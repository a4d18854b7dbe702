package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class TimelinesTest {

    static NodeState primary(String name, int timeline) {
        return new NodeState(name, true, true, timeline, 100);
    }

    static NodeState standby(String name, int timeline) {
        return new NodeState(name, true, false, timeline, 100);
    }

    static NodeState down(String name) {
        return NodeState.unreachable(name);
    }

    /** primary on 1 until t=1000; then killed, replica1 promoted (2); at 3000 the old primary is back as a primary on 1. */
    static Timelines failoverThenStalePrimary() {
        return new Timelines(List.of(
                new Timelines.Round(0, List.of(primary("primary", 1), standby("replica1", 1), standby("replica2", 1))),
                new Timelines.Round(500, List.of(down("primary"), standby("replica1", 1), standby("replica2", 1))),
                new Timelines.Round(1000, List.of(down("primary"), primary("replica1", 2), standby("replica2", 2))),
                new Timelines.Round(3000, List.of(primary("primary", 1), primary("replica1", 2), standby("replica2", 2))),
                new Timelines.Round(4000, List.of(down("primary"), primary("replica1", 2), standby("replica2", 2)))));
    }

    @Test
    void theNewestTimelineIsTheLastRoundsAtOrBeforeTheMoment() {
        Timelines t = failoverThenStalePrimary();
        assertThat(t.newestAt(-1)).isEqualTo(-1);
        assertThat(t.newestAt(999)).isEqualTo(1);
        assertThat(t.newestAt(1000)).isEqualTo(2);
        assertThat(t.newestAt(3500)).isEqualTo(2);
        assertThat(t.firstAbove(1)).isEqualTo(1000);
        assertThat(t.firstAbove(2)).isEqualTo(-1);
        assertThat(t.seen()).containsExactly(1, 2);
    }

    @Test
    void twoPrimariesAnsweringIsASplitBrain() {
        assertThat(failoverThenStalePrimary().splitBrain()).containsExactly(new Timelines.Interval(3000, 4000));
    }

    @Test
    void aSplitBrainStillOpenAtTheEndLastsUntilTheLastRound() {
        Timelines t = new Timelines(List.of(
                new Timelines.Round(0, List.of(primary("a", 1), primary("b", 2))),
                new Timelines.Round(500, List.of(primary("a", 1), primary("b", 2)))));
        assertThat(t.splitBrain()).containsExactly(new Timelines.Interval(0, 500 + ClusterWatch.INTERVAL_MS));
    }
}
