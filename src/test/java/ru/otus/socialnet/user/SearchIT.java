package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;

/** /user/search semantics, served by the replicas: prefix, case, order, page bounds, literal wildcards. */
class SearchIT extends ReplicatedServiceTest {

    private List<String> register(String first, String... lastNames) {
        List<String> ids = new ArrayList<>();
        for (String last : lastNames) {
            Api.Response r = api.register(first, last);
            assertThat(r.status()).isEqualTo(200);
            ids.add(r.text("user_id"));
        }
        cluster.awaitReplicasCaughtUp();
        return ids;
    }

    private Api.Response search(String first, String last) {
        return api.get("/user/search", Map.of("first_name", first, "last_name", last));
    }

    private static List<String> ids(Api.Response r) {
        List<String> ids = new ArrayList<>();
        for (JsonNode user : r.json()) {
            ids.add(user.get("id").asString());
        }
        return ids;
    }

    @Test
    void matchesByPrefixOfBothNames() {
        String first = unique("Префикс");
        List<String> ids = register(first, "Кузнецов", "Кузьмин", "Козлов");
        Api.Response r = search(first.substring(0, first.length() - 2), "Куз");
        assertThat(r.status()).isEqualTo(200);
        assertThat(ids(r)).containsExactly(ids.get(0), ids.get(1));
        JsonNode user = r.json().get(0);
        assertThat(user.get("first_name").asString()).isEqualTo(first);
        assertThat(user.get("second_name").asString()).isEqualTo("Кузнецов");
        assertThat(user.get("birthdate").asString()).isEqualTo("1991-04-12");
        assertThat(user.get("city").asString()).isEqualTo("Казань");
        assertThat(user.has("password")).isFalse();
        assertThat(user.has("password_hash")).isFalse();
    }

    @Test
    void aPrefixIsNotASubstring() {
        String first = unique("Подстрока");
        register(first, "Иванов");
        assertThat(ids(search(first.substring(1), "Ив"))).isEmpty();
        assertThat(ids(search(first, "ванов"))).isEmpty();
    }

    @Test
    void ignoresCaseInCyrillicAndLatin() {
        String first = unique("Регистр");
        List<String> ids = register(first, "McDonald");
        assertThat(ids(search(first.toUpperCase(), "mcd"))).containsExactly(ids.get(0));
        assertThat(ids(search(first.toLowerCase(), "MCDONALD"))).containsExactly(ids.get(0));
    }

    @Test
    void returnsUsersOrderedById() {
        String first = unique("Порядок");
        List<String> ids = register(first, "Ая", "Аб", "Ав", "Аа");
        assertThat(ids(search(first, "А"))).containsExactlyElementsOf(ids);
    }

    @Test
    void pageIsBoundedByDefaultAndByLimit() {
        String first = unique("Страница");
        List<String> ids = register(first, "Т1", "Т2", "Т3", "Т4", "Т5");
        Api.Response limited = api.get("/user/search", Map.of("first_name", first, "last_name", "Т", "limit", "3"));
        assertThat(ids(limited)).containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(ids(search(first, "Т"))).hasSize(5);
    }

    @Test
    void limitOutsideItsBoundsIsRejected() {
        for (String limit : List.of("0", "-1", "1001", "many")) {
            Api.Response r = api.get("/user/search", Map.of("first_name", "Ив", "last_name", "Ив", "limit", limit));
            assertThat(r.status()).as("limit=%s", limit).isEqualTo(400);
            assertThat(r.text("message")).contains("limit");
        }
    }

    @Test
    void percentUnderscoreAndBackslashAreLiteral() {
        String first = unique("Знак");
        List<String> ids = register(first, "50%", "a_b", "c\\d", "5000", "axb", "cxd");
        assertThat(ids(search(first, "50%"))).containsExactly(ids.get(0));
        assertThat(ids(search(first, "%"))).isEmpty();
        assertThat(ids(search(first, "a_"))).containsExactly(ids.get(1));
        assertThat(ids(search(first, "_"))).isEmpty();
        assertThat(ids(search(first, "c\\"))).containsExactly(ids.get(2));
        assertThat(ids(search(first, "\\"))).isEmpty();
    }

    @Test
    void bothParametersAreRequiredAndNotBlank() {
        assertThat(api.get("/user/search", Map.of("first_name", "Ив")).status()).isEqualTo(400);
        assertThat(api.get("/user/search", Map.of("last_name", "Ив")).status()).isEqualTo(400);
        Api.Response blank = search("  ", "Ив");
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.text("message")).contains("first_name");
        Api.Response missing = api.get("/user/search", Map.of("first_name", "Ив"));
        assertThat(missing.text("message")).contains("last_name");
        assertThat(missing.json().get("code").asInt()).isEqualTo(40001);
    }

    @Test
    void noMatchIsAnEmptyList() {
        Api.Response r = search(unique("Никого"), "Нет");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json()).isEmpty();
    }
}
