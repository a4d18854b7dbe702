package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.chaos.Findings.Gap;
import ru.otus.socialnet.chaos.Op.Kind;
import ru.otus.socialnet.chaos.Op.Outcome;

class TimelineSwitchTest {

    final List<Op> acks = new ArrayList<>();

    void ack(long at, int timeline) {
        acks.add(new Op(Kind.WRITE, "s0", "m" + at, 1, at - 10, at, Outcome.OK, 200, "1", null,
                String.format("%08X/0/%X", timeline, 1000 + at), 1));
    }

    @Test
    void fromTheLastAcknowledgmentOnTheOldTimelineToTheFirstOnTheNew() {
        ack(1_000, 1);
        ack(2_000, 1); // the last on timeline 1: before the fault started (writes are paced)
        ack(14_500, 2);
        ack(15_000, 2);
        assertThat(TimelineSwitch.during(acks, 2_500, 30_000)).contains(new Gap(2_000, 14_500));
    }

    @Test
    void writesAcknowledgedOnTheOldTimelineAfterTheFaultStartedMoveItsStart() {
        ack(1_000, 1);
        ack(3_000, 1); // the primary answered on after the injection (a partition takes a while to bite)
        ack(9_000, 3); // timelines may jump: a double failure
        assertThat(TimelineSwitch.during(acks, 2_000, 30_000)).contains(new Gap(3_000, 9_000));
    }

    @Test
    void noNewerTimelineWithinTheFaultIsNoSwitch() {
        ack(1_000, 1);
        ack(8_000, 1);
        ack(40_000, 2); // after the fault: another fault's switch
        assertThat(TimelineSwitch.during(acks, 2_000, 30_000)).isEmpty();
    }

    @Test
    void withNoAcknowledgmentBeforeTheFaultTheOldestInItIsTheOldTimeline() {
        ack(3_000, 2);
        ack(12_000, 3);
        assertThat(TimelineSwitch.during(acks, 2_000, 30_000)).contains(new Gap(3_000, 12_000));
        assertThat(TimelineSwitch.during(List.of(), 2_000, 30_000)).isEmpty();
    }

    @Test
    void acknowledgmentsWithoutATokenAreNoEvidence() {
        ack(1_000, 1);
        acks.add(new Op(Kind.WRITE, "s0", "x", 1, 4_990, 5_000, Outcome.OK, 200, "9", null, null, 1));
        ack(7_000, 2);
        assertThat(TimelineSwitch.during(acks, 2_000, 30_000)).contains(new Gap(1_000, 7_000));
    }
}
