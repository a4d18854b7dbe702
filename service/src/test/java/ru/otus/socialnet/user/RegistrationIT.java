package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/** Registration and profile reads: what is stored, and that bad input is refused with nothing stored. */
class RegistrationIT extends ReplicatedServiceTest {

    private long userCount() {
        return cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM users");
    }

    /** Sends the body, expects a 400 whose message names {@code field}, and that no user was stored. */
    @SuppressWarnings("unchecked") // a body is either raw text or a JSON object built by Api.user
    private void assertRejected(Object body, String field) {
        long before = userCount();
        Api.Response r = body instanceof String s ? api.postJson("/user/register", s)
                : api.postJson("/user/register", (Map<String, ?>) body);
        assertThat(r.status()).as("status for %s", body).isEqualTo(400);
        assertThat(r.text("message")).as("message for %s", body).contains(field);
        assertThat(r.text("request_id")).isEqualTo(r.header("X-Request-Id")).isNotBlank();
        assertThat(r.json().get("code").isInt()).isTrue();
        assertThat(userCount()).isEqualTo(before);
    }

    private static Map<String, Object> with(String field, Object value) {
        Map<String, Object> body = Api.user("Иван", "Петров");
        body.put(field, value);
        return body;
    }

    private static Map<String, Object> without(String field) {
        Map<String, Object> body = Api.user("Иван", "Петров");
        body.remove(field);
        return body;
    }

    @Test
    void registeredProfileIsReturnedByGet() {
        String first = unique("Профиль");
        Api.Response reg = api.register(first, "Сидорова");
        assertThat(reg.status()).isEqualTo(200);
        String id = reg.text("user_id");
        assertThat(id).matches("[1-9][0-9]*");
        cluster.awaitReplicasCaughtUp();
        Api.Response got = api.get("/user/get/" + id);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.text("id")).isEqualTo(id);
        assertThat(got.text("first_name")).isEqualTo(first);
        assertThat(got.text("second_name")).isEqualTo("Сидорова");
        assertThat(got.text("birthdate")).isEqualTo("1991-04-12");
        assertThat(got.text("biography")).isEqualTo("Шахматы, походы");
        assertThat(got.text("city")).isEqualTo("Казань");
        assertThat(got.json().has("password")).isFalse();
    }

    @Test
    void passwordIsStoredOnlyAsBcryptHash() {
        String id = api.register(unique("Хеш"), "Петров").text("user_id");
        try (var c = cluster.superuser(Node.PRIMARY);
             var st = c.prepareStatement("SELECT password_hash FROM users WHERE id = ?")) {
            st.setLong(1, Long.parseLong(id));
            var rs = st.executeQuery();
            rs.next();
            String hash = rs.getString(1);
            assertThat(hash).startsWith("$2a$10$").doesNotContain("correct horse battery");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void biographyIsOptional() {
        Api.Response r = api.postJson("/user/register", without("biography"));
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void malformedJsonIsRejected() {
        assertRejected("{\"first_name\": \"Иван\",", "JSON");
        assertRejected("", "JSON");
    }

    @Test
    void wrongTypesAreRejected() {
        assertRejected(with("birthdate", 19910412), "birthdate");
        assertRejected(with("first_name", Map.of("x", 1)), "first_name");
    }

    @Test
    void missingOrBlankRequiredFieldsAreRejected() {
        for (String field : new String[] {"first_name", "second_name", "birthdate", "city", "password"}) {
            assertRejected(without(field), field);
        }
        assertRejected(with("first_name", "   "), "first_name");
        assertRejected(with("city", ""), "city");
    }

    @Test
    void overLongStringsAreRejected() {
        assertRejected(with("first_name", "я".repeat(101)), "first_name");
        assertRejected(with("biography", "b".repeat(4001)), "biography");
        assertRejected(with("password", "пароль".repeat(7)), "password"); // 84 bytes > bcrypt's 72
    }

    @Test
    void impossibleOrFutureDatesAreRejected() {
        assertRejected(with("birthdate", "1990-02-30"), "birthdate");
        assertRejected(with("birthdate", "1990-13-01"), "birthdate");
        assertRejected(with("birthdate", "01.02.1990"), "birthdate");
        assertRejected(with("birthdate", "2999-01-01"), "birthdate");
        assertRejected(with("birthdate", "1812-09-07"), "birthdate");
    }

    @Test
    void shortPasswordIsRejected() {
        assertRejected(with("password", "short"), "password");
    }

    @Test
    void unknownIdIs404AndMalformedIdIs400() {
        Api.Response unknown = api.get("/user/get/987654321");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.text("message")).contains("not found");
        for (String bad : new String[] {"abc", "0", "-5", "1.5", "99999999999999999999"}) {
            Api.Response r = api.get("/user/get/" + bad);
            assertThat(r.status()).as("id %s", bad).isEqualTo(400);
            assertThat(r.text("message")).contains("id");
        }
    }
}
