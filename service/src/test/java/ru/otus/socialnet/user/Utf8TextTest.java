package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Text written as its UTF-8 bytes is the very JSON the same text written as a String is. */
class Utf8TextTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void writesTheSameJsonAsTheStringWouldEscapesAndAll() {
        for (String text : new String[] {"Иван", "Ёлка-Палка", "O'Brien \"Бо\" \\ / слэш", "таб\tи\nстрока\u0001",
                "эмодзи 😀 и 𝔘", "\u2028\u2029", "", "漢字", "é (e + combining: é)"}) {
            Map<String, Object> asString = new LinkedHashMap<>();
            asString.put("v", text);
            Map<String, Object> asUtf8 = new LinkedHashMap<>();
            asUtf8.put("v", Utf8Text.of(text.getBytes(StandardCharsets.UTF_8)));
            assertThat(JSON.writeValueAsBytes(asUtf8)).as(text).isEqualTo(JSON.writeValueAsBytes(asString));
            // Through a Writer (an answer in another charset) too.
            assertThat(JSON.writeValueAsString(asUtf8)).as(text).isEqualTo(JSON.writeValueAsString(asString));
        }
    }

    @Test
    void aProfileIsWrittenWithTheApisNames() {
        UserProfile profile = new UserProfile("7", Utf8Text.of("Иван".getBytes(StandardCharsets.UTF_8)),
                Utf8Text.of("Петров".getBytes(StandardCharsets.UTF_8)), "1990-05-01", null,
                Utf8Text.of("Москва".getBytes(StandardCharsets.UTF_8)));
        assertThat(JsonMapper.builder().propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                .build().writeValueAsString(profile)).isEqualTo("{\"id\":\"7\",\"first_name\":\"Иван\",\"second_name\":\"Петров\","
                + "\"birthdate\":\"1990-05-01\",\"biography\":null,\"city\":\"Москва\"}");
    }
}
