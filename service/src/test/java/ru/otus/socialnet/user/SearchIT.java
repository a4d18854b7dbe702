package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * /user/search semantics, served by the replicas: prefix, case (Cyrillic included), order, page
 * bounds, literal wildcards, and the edges of the byte-range form of "starts with" the statement
 * uses (longest names, the highest code point right after the prefix).
 */
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

    /**
     * Users stored straight into the table (names registration may one day refuse, and many rows
     * without a bcrypt each), as {first name, last name} pairs; returns their ids in that order.
     */
    private List<String> insert(List<String[]> names) {
        List<String> ids = new ArrayList<>();
        try (Connection c = cluster.superuser(Node.PRIMARY); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO users (first_name, second_name, birthdate, city, password_hash)
                VALUES (?, ?, '1980-01-01', 'Тверь', 'not a hash: cannot log in') RETURNING id""")) {
            for (String[] name : names) {
                ps.setString(1, name[0]);
                ps.setString(2, name[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    ids.add(Long.toString(rs.getLong(1)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        cluster.awaitReplicasCaughtUp();
        return ids;
    }

    private List<String> insert(String first, String... lastNames) {
        List<String[]> names = new ArrayList<>();
        for (String last : lastNames) {
            names.add(new String[] {first, last});
        }
        return insert(names);
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
    void aBroadPrefixGivesTheFirstPageById() {
        String base = unique("Широкий");
        List<String[]> names = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            // Many first and last names under the two prefixes, in no particular name order.
            names.add(new String[] {base + (char) ('а' + (i * 11) % 32), "Б" + (char) ('а' + (i * 7) % 32) + "-" + i});
        }
        List<String> ids = insert(names);
        Api.Response page = search(base.toLowerCase(), "б");
        assertThat(page.status()).isEqualTo(200);
        assertThat(ids(page)).as("the default page: the 100 lowest ids, in order").containsExactlyElementsOf(ids.subList(0, 100));
        Api.Response all = api.get("/user/search", Map.of("first_name", base, "last_name", "Б", "limit", "1000"));
        assertThat(ids(all)).containsExactlyElementsOf(ids);
    }

    @Test
    void ignoresCaseOfEveryCyrillicLetter() {
        String first = unique("Ёж");
        List<String> ids = register(first, "Ёлкина", "Їжакевич", "Ґалаґан", "Єрмак", "Эхо");
        assertThat(ids(search(first.toLowerCase(), "ёл"))).containsExactly(ids.get(0));
        assertThat(ids(search(first.toUpperCase(), "ЁЛКИНА"))).containsExactly(ids.get(0));
        assertThat(ids(search(first, "її"))).isEmpty();
        assertThat(ids(search(first, "ЇЖ"))).containsExactly(ids.get(1));
        assertThat(ids(search(first, "ґа"))).containsExactly(ids.get(2));
        assertThat(ids(search(first, "є"))).containsExactly(ids.get(3));
        // е and ё, э and є are different letters, not case variants.
        assertThat(ids(search(first, "ел"))).isEmpty();
        assertThat(ids(search(first, "э"))).containsExactly(ids.get(4));
    }

    @Test
    void aPrefixMatchesNeitherItsNeighboursNorShorterNames() {
        String first = unique("Сосед");
        List<String> ids = register(first, "Ив", "Ива", "Иваново", "Ивб", "Иг", "Иа");
        assertThat(ids(search(first, "Ива"))).containsExactly(ids.get(1), ids.get(2));
        assertThat(ids(search(first, "Ив"))).containsExactly(ids.get(0), ids.get(1), ids.get(2), ids.get(3));
        assertThat(ids(search(first + "а", "Ив"))).isEmpty();
    }

    @Test
    void findsTheLongestNamesAndTheHighestCodePointsAfterThePrefix() {
        String first = unique("Край");
        String max = Character.toString(0x10FFFF);                   // the highest code point
        List<String> ids = insert(first,
                "Д" + "ж".repeat(99),                                // 100 characters, the table's limit
                "Я" + max.repeat(99),                                // the highest possible name under "я"
                "Ма" + max + "ж",                                    // U+10FFFF right after the prefix
                "Ма" + Character.toString(0x1F600),                  // 4 bytes in UTF-8
                "Мб");
        assertThat(ids(search(first, "д"))).containsExactly(ids.get(0));
        assertThat(ids(search(first, "Д" + "Ж".repeat(99)))).containsExactly(ids.get(0));
        assertThat(ids(search(first, "я"))).containsExactly(ids.get(1));
        assertThat(ids(search(first, "ма"))).containsExactly(ids.get(2), ids.get(3));
        assertThat(ids(search(first, "Ма" + max))).containsExactly(ids.get(2));
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
