package ru.otus.socialnet.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Token parsing and comparison: LSNs are unsigned 64-bit numbers, timelines start at 1. */
class ConsistencyTokenTest {

    @Test
    void parsesAndPrintsAsIssued() {
        ConsistencyToken t = ConsistencyToken.parse(" 00000002/1A/3000148 ");
        assertThat(t.timeline()).isEqualTo(2);
        assertThat(t.lsn()).isEqualTo((0x1AL << 32) | 0x3000148L);
        assertThat(t).hasToString("00000002/1A/3000148");
    }

    @Test
    void theLargestPositionIsTheLargestNotMinusOne() {
        ConsistencyToken top = ConsistencyToken.parse("00000001/FFFFFFFF/FFFFFFFF");
        assertThat(top.lsn()).isEqualTo(-1L); // the bit pattern; every comparison is unsigned
        assertThat(top.reachedBy(ConsistencyToken.parseLsn("0/3000000"))).isFalse();
        assertThat(top.reachedBy(ConsistencyToken.parseLsn("FFFFFFFF/FFFFFFFE"))).isFalse();
        assertThat(top.reachedBy(-1L)).isTrue();
        assertThat(top.isAfter(ConsistencyToken.parse("00000001/7FFFFFFF/FFFFFFFF"))).isTrue();
    }

    @Test
    void aHighHalfAboveTheSignBitComparesAboveALowOne() {
        ConsistencyToken high = ConsistencyToken.parse("00000001/80000000/0");
        ConsistencyToken low = ConsistencyToken.parse("00000001/7FFFFFFF/FFFFFFFF");
        assertThat(high.isAfter(low)).isTrue();
        assertThat(low.isAfter(high)).isFalse();
        assertThat(low.max(high)).isEqualTo(high);
        assertThat(high.max(low)).isEqualTo(high);
    }

    @Test
    void aNewerTimelineIsAfterWhateverItsPosition() {
        ConsistencyToken newer = ConsistencyToken.parse("00000003/0/1");
        ConsistencyToken older = ConsistencyToken.parse("00000002/FFFFFFFF/FFFFFFFF");
        assertThat(newer.isAfter(older)).isTrue();
        assertThat(older.max(newer)).isEqualTo(newer);
        assertThat(newer.max(null)).isEqualTo(newer);
        assertThat(newer.isAfter(newer)).isFalse();
    }

    @Test
    void aCommitWhosePositionIsUnknownIsPositionZeroOfItsTimeline() {
        ConsistencyToken unknown = ConsistencyToken.positionUnknown(2);
        assertThat(unknown).hasToString("00000002/0/0");
        assertThat(ConsistencyToken.parse("00000002/0/0").isPositionUnknown()).isTrue();
        assertThat(ConsistencyToken.parse("00000002/0/1").isPositionUnknown()).isFalse();
        assertThat(ConsistencyToken.parse("00000002/0/3000148").isAfter(unknown)).as("any later commit covers it").isTrue();
    }

    @Test
    void refusesWhatWasNeverIssued() {
        for (String bad : new String[] {"", "yesterday", "1/0/1", "00000001/0", "00000001/123456789/1",
                "00000001/0/1/2", "0000000G/0/1", "00000001/-1/1", "00000000/0/1"}) {
            assertThatThrownBy(() -> ConsistencyToken.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(ConsistencyToken.HEADER);
        }
    }
}
