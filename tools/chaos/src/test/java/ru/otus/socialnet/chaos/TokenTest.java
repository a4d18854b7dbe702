package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenTest {

    @Test
    void theTimelineIsTheFirstPart() {
        assertThat(Token.timeline("00000002/0/3000148")).isEqualTo(2);
        assertThat(Token.timeline("0000000A/1/0")).isEqualTo(10);
        assertThat(Token.timeline(null)).isEqualTo(-1);
        assertThat(Token.timeline("2/0/3000148")).isEqualTo(-1);
    }

    @Test
    void aSessionCarriesTheLaterTokenTimelineFirstThenPosition() {
        assertThat(Token.later("00000001/0/3000148", "00000001/0/3000200")).isEqualTo("00000001/0/3000200");
        assertThat(Token.later("00000002/0/1", "00000001/5/0")).isEqualTo("00000002/0/1");
        // positions compare unsigned
        assertThat(Token.later("00000001/FFFFFFFF/0", "00000001/1/0")).isEqualTo("00000001/FFFFFFFF/0");
        assertThat(Token.later(null, "00000001/0/1")).isEqualTo("00000001/0/1");
        assertThat(Token.later("00000001/0/1", null)).isEqualTo("00000001/0/1");
    }
}
