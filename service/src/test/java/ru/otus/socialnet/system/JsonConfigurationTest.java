package ru.otus.socialnet.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import ru.otus.socialnet.auth.LoginRequest;
import ru.otus.socialnet.user.RegistrationRequest;

/** The service's JSON mapper (built with the same customizer the service uses), without a server. */
class JsonConfigurationTest {

    private static final JsonMapper JSON = strictMapper();
    private static final String VALID = "{\"first_name\":\"Иван\",\"second_name\":\"Петров\",\"birthdate\":\"1990-05-01\","
            + "\"biography\":\"шахматы\",\"city\":\"Москва\",\"password\":\"secret-pass\"}";

    private static JsonMapper strictMapper() {
        JsonMapper.Builder builder = JsonMapper.builder();
        new JsonConfiguration().strictJson().customize(builder);
        return builder.build();
    }

    private static String with(String field, String rawJson) {
        return VALID.replaceFirst("\"" + field + "\":(\"[^\"]*\")", "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(rawJson));
    }

    @Test
    void readsTheSpecsSnakeCaseBody() {
        RegistrationRequest r = JSON.readValue(VALID, RegistrationRequest.class);
        assertThat(r.firstName()).isEqualTo("Иван");
        assertThat(r.birthdate()).isEqualTo(LocalDate.of(1990, 5, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"123", "12345678", "1.5", "true", "false", "{\"a\":\"b\"}", "[\"Иван\"]"})
    void aStringFieldTakesOnlyAString(String value) {
        for (String field : new String[] {"first_name", "second_name", "biography", "city", "password"}) {
            assertThatThrownBy(() -> JSON.readValue(with(field, value), RegistrationRequest.class))
                    .as("%s = %s", field, value).isInstanceOf(JacksonException.class);
        }
        assertThatThrownBy(() -> JSON.readValue("{\"id\":" + value + ",\"password\":\"x\"}", LoginRequest.class))
                .isInstanceOf(JacksonException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7000", "-1", "1990.5", "true", "[1990,1,1]", "[\"1990-01-01\"]", "{\"y\":1990}",
            "\"1990-01-01T00:00:00\"", "\"1990-01-01T00:00:00Z\"", "\" 1990-01-01\"", "\"1990-01-01 \"", "\"1990-1-1\"",
            "\"19900101\"", "\"1990-02-30\"", "\"1990-13-01\"", "\"+1990-01-01\"", "\"\\u0661\\u0669\\u0669\\u0660-01-01\"",
            "\"\""})
    void aBirthdateIsAStringYyyyMmDd(String value) {
        assertThatThrownBy(() -> JSON.readValue(with("birthdate", value), RegistrationRequest.class))
                .as(value).isInstanceOf(JacksonException.class);
    }

    @Test
    void aLeapDayIsADate() {
        assertThat(JSON.readValue(with("birthdate", "\"2000-02-29\""), RegistrationRequest.class).birthdate())
                .isEqualTo(LocalDate.of(2000, 2, 29));
    }

    @Test
    void duplicateKeysAreAnError() {
        assertThatThrownBy(() -> JSON.readValue(VALID.replace("}", ",\"password\":\"other\"}"), RegistrationRequest.class))
                .isInstanceOf(JacksonException.class).hasMessageContaining("Duplicate");
        assertThatThrownBy(() -> JSON.readValue("{\"id\":\"1\",\"id\":\"2\",\"password\":\"x\"}", LoginRequest.class))
                .isInstanceOf(JacksonException.class);
    }

    @Test
    void nullAndAbsentStayForValidationToReport() {
        RegistrationRequest r = JSON.readValue("{\"first_name\":null}", RegistrationRequest.class);
        assertThat(r.firstName()).isNull();
        assertThat(r.birthdate()).isNull();
    }
}
