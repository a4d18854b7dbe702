package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class FaultScheduleTest {

    @Test
    void theSameSeedAndRunGiveTheSameFaultsInTheSameOrderWithTheSameParameters() {
        assertThat(FaultSchedule.plan(42, 3, FaultKind.all(), 50)).isEqualTo(FaultSchedule.plan(42, 3, FaultKind.all(), 50));
    }

    @Test
    void anotherRunOrAnotherSeedGivesOtherFaults() {
        List<Fault> run1 = FaultSchedule.plan(42, 1, FaultKind.all(), 20);
        assertThat(FaultSchedule.plan(42, 2, FaultKind.all(), 20)).isNotEqualTo(run1);
        assertThat(FaultSchedule.plan(43, 1, FaultKind.all(), 20)).isNotEqualTo(run1);
    }

    @Test
    void aRunsFaultsDoNotDependOnHowManyTheRunsBeforeItDrew() {
        FaultSchedule run2 = new FaultSchedule(7, 2, FaultKind.all());
        new FaultSchedule(7, 1, FaultKind.all()).next(); // run 1 drawing more or less changes nothing for run 2
        assertThat(run2.next()).isEqualTo(FaultSchedule.plan(7, 2, FaultKind.all(), 1).get(0));
    }

    @Test
    void theOrderOfTheMenuSetDoesNotMatter() {
        Set<FaultKind> hashed = new HashSet<>(List.of(FaultKind.DOUBLE_FAILURE, FaultKind.PAUSE, FaultKind.KILL_PRIMARY));
        Set<FaultKind> ordered = EnumSet.of(FaultKind.KILL_PRIMARY, FaultKind.PAUSE, FaultKind.DOUBLE_FAILURE);
        assertThat(FaultSchedule.plan(5, 1, hashed, 30)).isEqualTo(FaultSchedule.plan(5, 1, ordered, 30));
    }

    @Test
    void onlyTheMenuIsDrawnAndOverALongRunAllOfItRoughlyByWeight() {
        Set<FaultKind> menu = EnumSet.of(FaultKind.KILL_REPLICA, FaultKind.PAUSE);
        assertThat(FaultSchedule.plan(1, 1, menu, 200)).extracting(Fault::kind).containsOnly(FaultKind.KILL_REPLICA, FaultKind.PAUSE);

        Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
        FaultSchedule.plan(11, 1, FaultKind.all(), 6000).forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(FaultKind.all());
        // kill-primary weighs 3, restart-service 1
        assertThat(counts.get(FaultKind.KILL_PRIMARY)).isBetween(2 * counts.get(FaultKind.RESTART_SERVICE),
                4 * counts.get(FaultKind.RESTART_SERVICE));
    }

    @Test
    void parametersStayWithinTheirBounds() {
        for (Fault f : FaultSchedule.plan(99, 4, FaultKind.all(), 3000)) {
            assertThat(f.gapAfterMs()).isBetween(2_000L, 6_000L);
            assertThat(f.pick()).isBetween(0, 999);
            switch (f.kind()) {
                case SLOW_REPLICA -> {
                    assertThat(f.delayMs()).isBetween(50, 500);
                    assertThat(f.lossPercent()).isBetween(0, 20);
                    assertThat(f.holdMs()).isBetween(5_000L, 12_000L);
                }
                case PAUSE, KILL_REPLICA, PAUSE_POSTGRES -> assertThat(f.holdMs()).isBetween(2_000L, 8_000L);
                case LOSSY_LINK -> {
                    assertThat(f.lossPercent()).isBetween(5, 25);
                    assertThat(f.duplicatePercent()).isBetween(5, 25);
                    assertThat(f.delayMs()).isZero();
                }
                case REPLAY_PAUSE -> assertThat(f.holdMs()).as("past the service's max-lag and its look")
                        .isGreaterThanOrEqualTo(Checker.ROTATION_BOUND_MS).isLessThanOrEqualTo(22_000L);
                case DCS_LOSS, DCS_LOSS_FAILSAFE -> assertThat(f.holdMs()).as("longer than Patroni's ttl, 10 s")
                        .isBetween(12_000L, 18_000L);
                case PARTITION_PRIMARY -> assertThat(f.secondHoldMs()).isBetween(2_000L, 5_000L);
                case DOUBLE_FAILURE -> assertThat(f.secondHoldMs()).isBetween(1_000L, 3_000L);
                default -> assertThat(f.delayMs()).isZero();
            }
            assertThat(f.describe()).isNotBlank();
        }
    }

    @Test
    void aSlowReplicaLosesBetweenOneAndTwentyPercentNotAlwaysOne() {
        // between() steps by 100: the loss was drawn with it and came out 1 % in every draw
        assertThat(FaultSchedule.plan(99, 4, EnumSet.of(FaultKind.SLOW_REPLICA), 400).stream().map(Fault::lossPercent)
                .filter(l -> l > 0).distinct().count()).isGreaterThan(10);
    }

    @Test
    void theFaultsOfOnePartOfAPatroniNodeHitItsLeaderMoreOftenThanTheOldFaultsHitThePrimary() {
        Set<FaultKind> menu = EnumSet.of(FaultKind.PAUSE, FaultKind.KILL_AGENT);
        List<Fault> faults = FaultSchedule.plan(8, 1, menu, 4000);
        double pause = faults.stream().filter(f -> f.kind() == FaultKind.PAUSE).mapToInt(f -> f.onPrimary() ? 1 : 0).average().orElseThrow();
        double agent = faults.stream().filter(f -> f.kind() == FaultKind.KILL_AGENT).mapToInt(f -> f.onPrimary() ? 1 : 0).average()
                .orElseThrow();
        assertThat(pause).isBetween(0.35, 0.45);
        assertThat(agent).isBetween(0.55, 0.65);
    }

    @Test
    void eachEngineHasItsMenuAndTheNewFaultsAreInBoth() {
        Set<FaultKind> local = FaultKind.menu(Engine.LOCAL, true);
        Set<FaultKind> patroni = FaultKind.menu(Engine.PATRONI, true);
        assertThat(local).contains(FaultKind.STALE_PRIMARY).doesNotContain(FaultKind.KILL_AGENT, FaultKind.DCS_LOSS);
        assertThat(patroni).doesNotContain(FaultKind.STALE_PRIMARY).contains(FaultKind.KILL_AGENT, FaultKind.KILL_POSTGRES,
                FaultKind.PAUSE_AGENT, FaultKind.PAUSE_POSTGRES, FaultKind.PARTITION_AGENT, FaultKind.PARTITION_POSTGRES,
                FaultKind.DCS_LOSS, FaultKind.DCS_LOSS_FAILSAFE);
        for (FaultKind both : List.of(FaultKind.REPLAY_PAUSE, FaultKind.LOSSY_LINK, FaultKind.CUT_SERVICE, FaultKind.KILL_PRIMARY)) {
            assertThat(local).contains(both);
            assertThat(patroni).contains(both);
        }
        assertThat(FaultKind.menu(Engine.PATRONI, false)).noneMatch(k -> k.network).contains(FaultKind.DCS_LOSS);
    }

    @Test
    void aServiceRestartHitsEachInstanceAndTheStalePrimaryVariantToo() {
        Set<FaultKind> menu = EnumSet.of(FaultKind.RESTART_SERVICE, FaultKind.STALE_PRIMARY);
        List<Fault> restarts = FaultSchedule.plan(3, 1, menu, 200).stream()
                .filter(f -> f.kind() == FaultKind.RESTART_SERVICE || f.variant()).toList();
        for (FaultKind kind : menu) {
            assertThat(restarts.stream().filter(f -> f.kind() == kind).map(f -> f.serviceInstance(2)).distinct())
                    .as(kind.cliName).containsExactlyInAnyOrder(0, 1);
        }
        assertThat(restarts).allMatch(f -> f.serviceInstance(1) == 0);
        assertThat(restarts.stream().map(f -> f.serviceInstance(3)).distinct()).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void anEmptyMenuIsRefused() {
        assertThatThrownBy(() -> new FaultSchedule(1, 1, Set.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theMenuIsNamedOnTheCommandLine() {
        assertThat(FaultKind.parse("kill-primary, pause")).containsExactlyInAnyOrder(FaultKind.KILL_PRIMARY, FaultKind.PAUSE);
        assertThat(FaultKind.parse("all")).isEqualTo(FaultKind.all());
        assertThatThrownBy(() -> FaultKind.parse("kill-everything")).hasMessageContaining("the menu is: kill-primary,");
    }
}
