package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.chaos.Op.Kind;
import ru.otus.socialnet.chaos.Op.Outcome;

class CheckerTest {

    static final String TL1 = "00000001/0/3000148";
    static final String TL2 = "00000002/0/5000000";

    final List<Op> ops = new ArrayList<>();
    final Map<String, Integer> stored = new HashMap<>();
    final List<StaleRows> staleRows = new ArrayList<>();
    final List<FaultRecord> faults = new ArrayList<>();
    Timelines timelines = new Timelines(List.of());
    boolean storedKnown = true;

    Op write(String marker, int attempt, long start, long end, Outcome outcome, String userId, String token) {
        Op op = new Op(Kind.WRITE, "s0", marker, attempt, start, end, outcome, outcome == Outcome.OK ? 200 : 0, userId, null,
                token, 1);
        ops.add(op);
        return op;
    }

    Op read(String marker, long start, long end, Outcome outcome) {
        Op op = new Op(Kind.READ, "s0", marker, 1, start, end, outcome, 200, "1", TL1, null, 1);
        ops.add(op);
        return op;
    }

    void search(long at, Outcome outcome) {
        ops.add(new Op(Kind.SEARCH, "q0", "", 1, at - 5, at, outcome, 200, null, null, null, 1));
    }

    Findings check() {
        return Checker.check(new Checker.Input(0, 10_000, ops, stored, storedKnown, staleRows, timelines, faults));
    }

    @Test
    void anAcknowledgedWriteMissingAtTheEndIsLostAndFailsOnlyQuorumMode() {
        write("m1", 1, 100, 200, Outcome.OK, "1", TL1);
        write("m2", 1, 300, 400, Outcome.OK, "2", TL1);
        stored.put("m2", 1);

        Findings f = check();
        assertThat(f.lost()).containsExactly("m1");
        assertThat(f.acknowledged()).isEqualTo(2);
        assertThat(f.passed("quorum")).isFalse();
        assertThat(f.violations("quorum")).containsExactly("1 acknowledged write(s) lost");
        assertThat(f.passed("async")).as("async mode reports its losses").isTrue();
    }

    @Test
    void aMarkerStoredTwiceIsADuplicateInEveryMode() {
        write("m1", 1, 100, 8_100, Outcome.TIMEOUT, null, null);
        write("m1", 2, 8_400, 8_500, Outcome.OK, "7", TL1);
        stored.put("m1", 2);

        Findings f = check();
        assertThat(f.duplicates()).containsEntry("m1", "×2 (sent: TIMEOUT, OK)");
        assertThat(f.lost()).isEmpty();
        assertThat(f.passed("async")).isFalse();
        assertThat(f.violations("quorum")).containsExactly("1 write(s) stored twice");
    }

    @Test
    void oneKeyAcknowledgedWithTwoUserIdsIsCaughtEvenWhenOneRowWasLost() {
        write("m1", 1, 100, 200, Outcome.OK, "7", TL1);
        write("m1", 2, 300, 400, Outcome.OK, "8", TL1);
        stored.put("m1", 1);

        assertThat(check().keyTwoIds()).containsExactly("m1");
    }

    @Test
    void aTokenReadThatMissesAStoredWriteIsStaleButAMissedLostWriteIsExplainedByTheLoss() {
        write("m1", 1, 100, 200, Outcome.OK, "1", TL1);
        write("m2", 1, 300, 400, Outcome.OK, "2", TL1);
        stored.put("m1", 1);
        Op stale = read("m1", 250, 260, Outcome.NOT_FOUND);
        read("m1", 270, 280, Outcome.OK);
        read("m2", 450, 460, Outcome.NOT_FOUND);
        Op other = read("m1", 500, 510, Outcome.WRONG_USER);

        Findings f = check();
        assertThat(f.staleReads()).containsExactly(stale, other);
        assertThat(f.readsOfLostWrites()).isEqualTo(1);
        assertThat(f.passed("async")).isFalse();
    }

    @Test
    void tokenReadsServedByAnotherInstanceThanTheWritesAreCountedAndHeldToTheTokenAllTheSame() {
        write("m1", 1, 100, 200, Outcome.TIMEOUT, null, null);
        ops.add(new Op(Kind.WRITE, "s0", "m1", 2, 300, 400, Outcome.OK, 200, "1", null, TL1, 2));
        stored.put("m1", 1);
        read("m1", 450, 460, Outcome.OK); // instance 1: the other one
        Op stale = read("m1", 470, 480, Outcome.NOT_FOUND); // instance 1 too, and missed the write
        ops.add(new Op(Kind.READ, "s0", "m1", 1, 490, 500, Outcome.OK, 200, "1", TL1, null, 2));
        read("m1", 510, 520, Outcome.TIMEOUT); // not served: no instance answered it

        Findings f = check();
        assertThat(f.crossInstanceReads()).as("the acknowledging attempt's instance counts").isEqualTo(2);
        assertThat(f.staleReads()).containsExactly(stale);
    }

    @Test
    void anAcknowledgmentOnAnOlderTimelineThanARunningNodesIsAStaleNodeWriteUnlessItRacedThePromotion() {
        timelines = TimelinesTest.failoverThenStalePrimary(); // timeline 2 from t=1000; stale primary on 1 at 3000-4000
        Op raced = write("m1", 1, 900, 1_100, Outcome.OK, "1", TL1);
        Op stale = write("m2", 1, 3_100, 3_200, Outcome.OK, "2", TL1);
        Op fine = write("m3", 1, 3_100, 3_200, Outcome.OK, "3", TL2);
        Op noToken = write("m4", 1, 3_100, 3_200, Outcome.OK, "4", null);
        stored.putAll(Map.of("m1", 1, "m2", 1, "m3", 1, "m4", 1));

        Findings f = check();
        assertThat(f.staleAcks()).containsExactly(stale).doesNotContain(raced, fine, noToken);
        assertThat(f.violations("quorum")).containsExactly("1 write(s) acknowledged by a stale node");
        assertThat(f.splitBrainMs()).isEqualTo(1000);
    }

    @Test
    void rowsOnlyAStalePrimaryHadAreStaleNodeWritesWhenSentAfterTheNewerTimelineExisted() {
        timelines = TimelinesTest.failoverThenStalePrimary();
        write("before", 1, 500, 9_000, Outcome.TIMEOUT, null, null); // in flight at the kill
        write("after", 1, 3_200, 9_000, Outcome.TIMEOUT, null, null); // sent to the stale primary
        staleRows.add(new StaleRows("primary", 1, 3_900, Map.of("before", 1, "after", 1)));

        Findings f = check();
        assertThat(f.staleRowsWritten()).containsExactly("after on primary (timeline 1)");
        assertThat(f.divergentRows()).isEqualTo(1);
        assertThat(f.unknownOutcomes()).isEqualTo(2);
        assertThat(f.unknownStored()).isZero();
        assertThat(f.passed("async")).isFalse();
    }

    @Test
    void writesWhoseOutcomeStayedUnknownAreCountedWithHowManyWereStoredAnyway() {
        write("m1", 1, 100, 8_100, Outcome.UNKNOWN_504, null, null);
        write("m2", 1, 100, 8_100, Outcome.IO_ERROR, null, null);
        write("m3", 1, 100, 200, Outcome.REJECTED_422, null, null);
        stored.put("m1", 1);

        Findings f = check();
        assertThat(f.unknownOutcomes()).isEqualTo(2);
        assertThat(f.unknownStored()).isEqualTo(1);
        assertThat(f.unacknowledgedStored()).isEqualTo(1);
        assertThat(f.outcomes().get(Kind.WRITE)).containsEntry(Outcome.UNKNOWN_504, 1L).containsEntry(Outcome.REJECTED_422, 1L);
        assertThat(f.passed("quorum")).isTrue();
    }

    @Test
    void theLongestOutageIsTheLongestStretchWithoutASuccessAndEachFaultGetsTheOnesOverlappingIt() {
        for (long t = 100; t <= 10_000; t += 100) {
            if (t < 3_000 || t > 7_000) {
                write("m" + t, 1, t - 50, t, Outcome.OK, Long.toString(t), TL1);
                stored.put("m" + t, 1);
            } else {
                write("m" + t, 1, t - 50, t, Outcome.UNAVAILABLE_503, null, null);
            }
            if (t < 5_000 || t > 5_500) {
                search(t, Outcome.OK);
            } else {
                search(t, Outcome.TIMEOUT);
            }
        }
        faults.add(fault(1, 2_500, 6_000));
        faults.add(fault(2, 8_000, 9_000));

        Findings f = check();
        assertThat(f.writeOutage()).isEqualTo(new Findings.Gap(2_900, 7_100));
        assertThat(f.readOutage().ms()).isEqualTo(700); // last success 4 900, next 5 600
        assertThat(f.perFault()).extracting(Findings.FaultOutage::writeMs).containsExactly(4_200L, 100L);
        assertThat(f.perFault()).extracting(Findings.FaultOutage::readMs).containsExactly(700L, 100L);
    }

    @Test
    void noSuccessAtAllIsOneOutageAsLongAsTheLoad() {
        write("m1", 1, 100, 200, Outcome.NO_CONNECTION, null, null);
        assertThat(check().writeOutage()).isEqualTo(new Findings.Gap(0, 10_000));
    }

    @Test
    void theWarmUpBeforeTheFirstSuccessIsNoOutage() {
        write("m1", 1, 100, 3_000, Outcome.OK, "1", TL1);
        write("m2", 1, 3_000, 3_100, Outcome.OK, "2", TL1);
        assertThat(check().writeOutage()).isEqualTo(new Findings.Gap(3_100, 10_000));
    }

    @Test
    void aFaultNotHealedAndAFailedClusterCommandFailTheRun() {
        faults.add(new FaultRecord(1, FaultSchedule.plan(1, 1, FaultKind.all(), 1).get(0), "primary", 0, 1, List.of(),
                List.of("bin/cluster rejoin primary: failed (exit 1)"), "not whole after 180 s"));

        Findings f = check();
        assertThat(f.violations("async")).containsExactly("1 of the project's cluster command(s) failed",
                "1 fault(s) the cluster could not be healed from");
    }

    @Test
    void withoutAPrimaryAtTheEndNothingCanBeCountedAndTheRunFails() {
        write("m1", 1, 100, 200, Outcome.OK, "1", TL1);
        storedKnown = false;

        Findings f = check();
        assertThat(f.lost()).as("unknown, not lost").isEmpty();
        assertThat(f.violations("async")).containsExactly("the rows could not be counted at the end: no primary");
    }

    @Test
    void aFaultDuringWhichThePrimaryWasReplacedGetsItsFailoverTimeAndEveryFaultItsSlowestRefusal() {
        write("a", 1, 900, 1_000, Outcome.OK, "1", TL1);
        write("b", 1, 2_400, 2_500, Outcome.OK, "2", TL1); // the last on the old timeline, after the injection
        write("c", 1, 2_600, 5_600, Outcome.TIMEOUT, null, null); // 3 s to give up
        write("c", 2, 5_900, 6_000, Outcome.UNAVAILABLE_503, null, null);
        write("c", 3, 8_900, 9_000, Outcome.OK, "3", TL2);
        faults.add(fault(1, 2_000, 9_500));
        write("d", 1, 9_600, 9_700, Outcome.OK, "4", TL2);
        faults.add(fault(2, 9_550, 9_900)); // the same timeline throughout: no failover

        Findings f = check();
        assertThat(f.perFault()).extracting(Findings.FaultOutage::switchMs).containsExactly(6_500L, -1L);
        assertThat(f.perFault()).extracting(Findings.FaultOutage::lostLeader).containsExactly(true, false);
        assertThat(f.perFault()).extracting(Findings.FaultOutage::slowestFailedWriteMs).containsExactly(3_000L, -1L);
        assertThat(f.perFault().get(0).targetedWriteMs()).as("a lost leader is held to its failover").isEqualTo(6_500L);
    }

    @Test
    void aStandbyWhoseReplayWasPausedMustLeaveEveryReadRotationByTheLagBound() {
        faults.add(replayPause(1, 18_000, 11_200)); // left in time
        faults.add(replayPause(2, 18_000, 16_000)); // left, but late
        faults.add(replayPause(3, 18_000, FaultRecord.NEVER)); // never, in a pause longer than the bound
        faults.add(replayPause(4, 12_000, FaultRecord.NEVER)); // never, but the pause was too short to tell

        Findings f = check();
        assertThat(f.lingeringStandbys()).containsExactly("fault 2: replica1 left the rotation only after 16 s",
                "fault 3: replica1 stayed in rotation for its whole pause of 18 s");
        assertThat(f.violations("quorum")).containsExactly("2 paused standby(s) stayed in the read rotation past the lag bound");
    }

    static FaultRecord replayPause(int n, long holdMs, long outOfRotationMs) {
        Fault pause = new Fault(FaultKind.REPLAY_PAUSE, 0, false, holdMs, 0, 0, 0, 0, false, 2_000);
        return new FaultRecord(n, pause, "replica1", 0, holdMs + 1_000, List.of(), List.of(), null, outOfRotationMs);
    }

    static FaultRecord fault(int n, long start, long end) {
        return new FaultRecord(n, FaultSchedule.plan(1, 1, FaultKind.all(), 1).get(0), "primary", start, end, List.of(),
                List.of(), null);
    }
}
