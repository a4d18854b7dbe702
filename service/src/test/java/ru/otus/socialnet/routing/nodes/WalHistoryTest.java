package ru.otus.socialnet.routing.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Time lag from the primary's sampled WAL positions: 0 on an idle primary, no jump after a quiet hour. */
class WalHistoryTest {

    private static final long S = 1_000_000_000L;

    private final WalHistory history = new WalHistory(100);

    @Test
    void aStandbyThatHasReplayedTheLatestSampleIsNotBehind() {
        history.record(0, 100);
        history.record(S, 200);
        assertThat(history.lagOf(200, 5 * S)).isEqualTo(Duration.ZERO);
        assertThat(history.lagOf(250, 5 * S)).as("ahead of the last sample (probe skew)").isEqualTo(Duration.ZERO);
    }

    @Test
    void aStandbyIsAsOldAsTheFirstPositionItLacks() {
        history.record(0, 100);
        history.record(S, 200);
        history.record(2 * S, 300);
        assertThat(history.lagOf(200, 3 * S)).as("lacks 300, written at 2 s").isEqualTo(Duration.ofSeconds(1));
        assertThat(history.lagOf(150, 3 * S)).as("lacks 200, written at 1 s").isEqualTo(Duration.ofSeconds(2));
        assertThat(history.lagOf(50, 3 * S)).as("older than the whole history").isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void anIdlePrimaryKeepsItsFirstSampleAtAPositionSoTheFirstWriteAfterAQuietHourIsNoJump() {
        history.record(0, 100);
        for (int i = 1; i <= 3600; i++) {
            history.record(i * S, 100); // idle: the same position, hour-long
        }
        history.record(3601 * S, 200);
        assertThat(history.lagOf(100, 3601 * S + S / 2)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void positionsCompareUnsignedAndAClearedHistoryKnowsNothing() {
        history.record(0, 0x7FFFFFFFFFFFFFFFL);
        history.record(S, 0x8000000000000000L);
        assertThat(history.lagOf(0x7FFFFFFFFFFFFFFFL, 2 * S)).isEqualTo(Duration.ofSeconds(1));
        history.clear();
        assertThat(history.lagOf(0, 2 * S)).isNull();
    }
}
