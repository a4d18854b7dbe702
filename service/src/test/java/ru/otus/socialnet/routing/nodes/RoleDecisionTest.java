package ru.otus.socialnet.routing.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.consistency.ConsistencyToken;
import ru.otus.socialnet.routing.nodes.RoleDecision.Decision;
import ru.otus.socialnet.routing.nodes.RoleDecision.Memory;
import ru.otus.socialnet.routing.nodes.RoleDecision.Role;
import ru.otus.socialnet.routing.nodes.RoleDecision.Seen;

/** Each rule of the role decision, fed with probe results: who writes, who is fenced, who follows. */
class RoleDecisionTest {

    private static final long CLUSTER = 7001;
    private static final long OTHER_CLUSTER = 7002;

    @Test
    void aLonePrimaryTakesTheWritesAndItsStreamingStandbysFollowIt() {
        Decision d = decide(Memory.NONE, primary("a", 1, 0x5000), standby("b", 1, 0x4000), standby("c", 1, 0x5000));
        assertThat(d.primary()).isEqualTo("a");
        assertThat(d.of("a").role()).isEqualTo(Role.PRIMARY);
        assertThat(d.of("b").following()).isTrue();
        assertThat(d.of("b").lagBytes()).isEqualTo(0x1000);
        assertThat(d.of("c").lagBytes()).isZero();
        assertThat(d.memory()).isEqualTo(new Memory(CLUSTER, 1, "a", new ConsistencyToken(1, 0x5000)));
    }

    @Test
    void aPrimaryOnAnOlderTimelineIsFencedEvenWithMoreWal() {
        Decision d = decide(Memory.NONE, primary("old", 1, 0x9000), primary("new", 2, 0x5000));
        assertThat(d.primary()).isEqualTo("new");
        assertThat(d.of("old").role()).isEqualTo(Role.FENCED);
        assertThat(d.of("old").reason()).contains("timeline 1, older than timeline 2", "bin/cluster rejoin");
    }

    @Test
    void theNewestTimelineIsRememberedSoAFormerPrimaryAloneIsStillFenced() {
        Memory afterFailover = decide(Memory.NONE, primary("new", 2, 0x5000), standby("b", 2, 0x5000)).memory();
        // the promoted primary is down; the former one is started again by mistake
        Decision d = decide(afterFailover, primary("old", 1, 0x9000), standby("b", 2, 0x5000));
        assertThat(d.primary()).isNull();
        assertThat(d.of("old").role()).isEqualTo(Role.FENCED);
        assertThat(d.memory().newestTimeline()).isEqualTo(2);
        assertThat(d.memory().lastPrimaryPosition()).as("kept while no primary answers")
                .isEqualTo(new ConsistencyToken(2, 0x5000));
    }

    @Test
    void aStandbysFilesProveANewerTimelineThanAnyPrimaryShows() {
        // the promoted node is down before the service saw it; a standby holds timeline 2's history file
        Probe sawThePromotion = new Probe(CLUSTER, true, 0, -1, 0x5000, 0x5000, 2, false, true, false, 0);
        Decision d = decide(Memory.NONE, primary("old", 1, 0x9000), new Seen("b", sawThePromotion));
        assertThat(d.primary()).isNull();
        assertThat(d.of("old").role()).isEqualTo(Role.FENCED);
    }

    @Test
    void ofTwoPrimariesOnTheNewestTimelineTheOneWithMoreWalTakesTheWritesAndTheOtherIsFenced() {
        Decision d = decide(Memory.NONE, primary("a", 3, 0x5000), primary("b", 3, 0x7000));
        assertThat(d.primary()).isEqualTo("b");
        assertThat(d.of("a").role()).isEqualTo(Role.FENCED);
        assertThat(d.of("a").reason()).contains("second primary on timeline 3", "writes stay on b");
    }

    @Test
    void ofTwoPrimariesOnTheNewestTimelineTheOneWritesWereOnKeepsThemWhateverTheOtherHas() {
        Memory writingOnA = decide(Memory.NONE, primary("a", 3, 0x5000)).memory();
        Decision d = decide(writingOnA, primary("a", 3, 0x5000), primary("b", 3, 0x7000));
        assertThat(d.primary()).isEqualTo("a");
        assertThat(d.of("b").role()).isEqualTo(Role.FENCED);
    }

    @Test
    void walPositionsCompareUnsigned() {
        Decision d = decide(Memory.NONE, primary("a", 1, 0x7000_0000_0000_0000L), primary("b", 1, 0x8000_0000_0000_0000L));
        assertThat(d.primary()).isEqualTo("b");
    }

    @Test
    void aReinitialisedClusterStartsTheMemoryAgain() {
        Memory old = decide(Memory.NONE, primary("a", 5, 0x9000), standby("b", 5, 0x9000)).memory();
        Decision d = decide(old, primary(OTHER_CLUSTER, "a", 1, 0x100), standby(OTHER_CLUSTER, "b", 1, 0x100));
        assertThat(d.forgotten()).isEqualTo(CLUSTER);
        assertThat(d.primary()).as("timeline 1 of the new cluster is its newest").isEqualTo("a");
        assertThat(d.of("b").following()).isTrue();
        assertThat(d.memory()).isEqualTo(new Memory(OTHER_CLUSTER, 1, "a", new ConsistencyToken(1, 0x100)));
    }

    @Test
    void whileANodeOfTheKnownClusterAnswersANodeOfAnotherIsNeverUsed() {
        Memory known = decide(Memory.NONE, primary("a", 1, 0x5000)).memory();
        Decision d = decide(known, standby("b", 1, 0x5000), primary(OTHER_CLUSTER, "x", 9, 0xFFFFFF));
        assertThat(d.forgotten()).isZero();
        assertThat(d.primary()).isNull();
        assertThat(d.of("x").role()).isEqualTo(Role.FOREIGN);
        assertThat(d.of("x").reason()).contains("another cluster");
        assertThat(d.memory().systemId()).isEqualTo(CLUSTER);
    }

    @Test
    void aStandbyOfAnotherPrimaryIsNotInRotation() {
        // streams timeline 1 from the former primary, while the writes go to the primary of timeline 2
        Decision d = decide(Memory.NONE, primary("new", 2, 0x5000), standby("b", 1, 0x5000));
        assertThat(d.of("b").role()).isEqualTo(Role.STANDBY);
        assertThat(d.of("b").following()).isFalse();
        assertThat(d.of("b").reason()).contains("streams timeline 1, the primary is on 2");
    }

    @Test
    void aStandbyWhoseReceiverDoesNotStreamDoesNotFollow() {
        Probe stopped = new Probe(CLUSTER, true, 1, -1, 0x5000, 0x5000, 1, true, true, false, 0);
        Decision d = decide(Memory.NONE, primary("a", 1, 0x5000), new Seen("b", stopped));
        assertThat(d.of("b").following()).isFalse();
        assertThat(d.of("b").reason()).contains("not streaming");
    }

    @Test
    void withoutTheReceiversStatusAStandbyFollowsWhileAReceiverProcessRuns() {
        Probe receiving = new Probe(CLUSTER, true, 0, -1, 0x5000, 0x4000, 1, false, true, false, 0);
        Probe noReceiver = new Probe(CLUSTER, true, 0, -1, 0x5000, 0x5000, 1, false, false, false, 0);
        Decision d = decide(Memory.NONE, primary("a", 1, 0x5000), new Seen("b", receiving), new Seen("c", noReceiver));
        assertThat(d.of("b").following()).isTrue();
        assertThat(d.of("b").lagBytes()).isEqualTo(0x1000);
        assertThat(d.of("c").following()).isFalse();
        assertThat(d.of("c").reason()).contains("no WAL receiver process");
    }

    @Test
    void withNoPrimaryNoStandbyFollowsAndItsLagIsUnknown() {
        Decision d = decide(Memory.NONE, standby("b", 1, 0x5000));
        assertThat(d.primary()).isNull();
        assertThat(d.of("b").following()).isFalse();
        assertThat(d.of("b").lagBytes()).isEqualTo(-1);
        assertThat(d.of("b").reason()).isEqualTo("no primary to follow");
    }

    @Test
    void nothingAnsweringChangesNothingButTheChosenPrimary() {
        Memory known = decide(Memory.NONE, primary("a", 2, 0x5000)).memory();
        Decision d = decide(known);
        assertThat(d.primary()).isNull();
        assertThat(d.forgotten()).isZero();
        assertThat(d.memory()).isEqualTo(new Memory(CLUSTER, 2, null, new ConsistencyToken(2, 0x5000)));
    }

    @Test
    void writesAreRefusedWhileThePrimarysCommitsCannotBeAcknowledged() {
        SyncCommit noStandby = new SyncCommit("ANY 1 (replica1, replica2)", "on", 0);
        Probe waiting = new Probe(CLUSTER, false, 1, 0x5000, -1, -1, 1, true, false, false, 0, noStandby);
        Decision d = decide(Memory.NONE, new Seen("a", waiting), standby("b", 1, 0x5000));
        assertThat(d.primary()).as("still the primary: reads and fencing go on").isEqualTo("a");
        assertThat(d.writesRefused()).contains("cannot be acknowledged");

        Probe confirmed = new Probe(CLUSTER, false, 1, 0x5000, -1, -1, 1, true, false, false, 0,
                new SyncCommit("ANY 1 (replica1, replica2)", "on", 1));
        assertThat(decide(Memory.NONE, new Seen("a", confirmed)).writesRefused()).isNull();
        assertThat(decide(Memory.NONE, standby("b", 1, 0x5000)).writesRefused()).as("no primary: said elsewhere").isNull();
    }

    @Test
    void aTokenIsKnownToBeIssuedWhenItIsNotPastTheLastPrimaryPosition() {
        ConsistencyToken last = new ConsistencyToken(2, 0x5000);
        assertThat(RoleDecision.knownToBeIssued(new ConsistencyToken(2, 0x5000), last)).isTrue();
        assertThat(RoleDecision.knownToBeIssued(new ConsistencyToken(1, 0x9000), last)).as("an older timeline").isTrue();
        assertThat(RoleDecision.knownToBeIssued(new ConsistencyToken(2, 0x5001), last)).isFalse();
        assertThat(RoleDecision.knownToBeIssued(new ConsistencyToken(3, 0x1), last)).isFalse();
        assertThat(RoleDecision.knownToBeIssued(new ConsistencyToken(1, 0x1), null)).as("no primary seen yet").isFalse();
    }

    private static Decision decide(Memory memory, Seen... answering) {
        return RoleDecision.decide(memory, List.of(answering));
    }

    private static Seen primary(String node, int timeline, long lsn) {
        return primary(CLUSTER, node, timeline, lsn);
    }

    private static Seen primary(long cluster, String node, int timeline, long lsn) {
        return new Seen(node, new Probe(cluster, false, timeline, lsn, -1, -1, timeline, true, false, false, 0));
    }

    /** A standby streaming {@code timeline}, replayed up to {@code replayLsn}. */
    private static Seen standby(String node, int timeline, long replayLsn) {
        return standby(CLUSTER, node, timeline, replayLsn);
    }

    private static Seen standby(long cluster, String node, int timeline, long replayLsn) {
        return new Seen(node, new Probe(cluster, true, timeline, -1, replayLsn, replayLsn, timeline, true, true, true, 0));
    }
}
