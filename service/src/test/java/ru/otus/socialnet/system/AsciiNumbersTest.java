package ru.otus.socialnet.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AsciiNumbersTest {

    @ParameterizedTest
    @CsvSource({"0,0", "1,1", "10,10", "1000,1000", "9223372036854775807,9223372036854775807"})
    void asciiDigitsWithoutLeadingZeros(String text, long value) {
        assertThat(AsciiNumbers.parse(text, Long.MAX_VALUE)).hasValue(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "01", "00", "+1", "-1", "1.0", "1e3", "0x10", "#10", "1_000", "1,000",
            "\u0661", "\uff11", "\u0967", "9223372036854775808", "99999999999999999999", "1\u0000"})
    void everythingElseIsNotANumber(String text) {
        assertThat(AsciiNumbers.parse(text, Long.MAX_VALUE)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2147483648", "9999999999"})
    void aBoundIsABound(String text) {
        assertThat(AsciiNumbers.parse(text, Integer.MAX_VALUE)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void theBoundItselfIsIn() {
        assertThat(AsciiNumbers.parse("2147483647", Integer.MAX_VALUE)).hasValue(Integer.MAX_VALUE);
    }

    @org.junit.jupiter.api.Test
    void nullIsNotANumber() {
        assertThat(AsciiNumbers.parse(null, 10)).isEmpty();
    }
}
