package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ru.otus.socialnet.system.ApiError;
import ru.otus.socialnet.system.ApiException;

class UserIdTest {

    @Test
    void positiveAsciiIntegers() {
        assertThat(UserId.parse("1", "id")).isEqualTo(1);
        assertThat(UserId.parse("9223372036854775807", "id")).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "01", "-1", "+1", " 1", "1.5", "abc", "\u0661", "\uff11", "\u0661\u0662",
            "9223372036854775808", ""})
    void anythingElseIsA400NamingTheField(String text) {
        assertThatThrownBy(() -> UserId.parse(text, "id"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.error()).isEqualTo(ApiError.INVALID_INPUT);
                    assertThat(e.getMessage()).startsWith("id:");
                });
    }

    @Test
    void nullIsA400Too() {
        assertThatThrownBy(() -> UserId.parse(null, "id")).isInstanceOf(ApiException.class);
    }
}
