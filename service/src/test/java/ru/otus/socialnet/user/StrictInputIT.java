package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.RawHttp;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * Issue 12's reproductions, one test per defect: input the spec does not allow was stored, or
 * answered 500. Each must now be a 400 with the error body, with nothing stored; and a name typed
 * in two Unicode forms is stored and found as one.
 */
class StrictInputIT extends ReplicatedServiceTest {

    private static final String PASSWORD = "correct horse battery";

    /** A registration body with one field replaced by raw JSON text ({@code "123"}, {@code "[1990,1,1]"}). */
    private static String bodyWith(String field, String rawJsonValue) {
        Map<String, Object> fields = Api.user("Иван", "Петров");
        StringBuilder json = new StringBuilder("{");
        fields.forEach((name, value) -> json.append('"').append(name).append("\":")
                .append(name.equals(field) ? rawJsonValue : "\"" + value + "\"").append(','));
        json.setCharAt(json.length() - 1, '}');
        return json.toString();
    }

    private void assertRefused(RawHttp.Request request, String messagePart) {
        long usersBefore = rowsOnPrimary("users");
        long tokensBefore = rowsOnPrimary("auth_tokens");
        RawHttp.Response r = new RawHttp(port).send(request);
        assertThat(r.status()).as("%s %s", request.method(), request.target()).isEqualTo(400);
        JsonNode body = r.json();
        assertThat(body).as("error body of %s", request.target()).isNotNull();
        assertThat(body.path("message").asString()).contains(messagePart);
        assertThat(body.path("request_id").asString()).isEqualTo(r.header("X-Request-Id")).isNotBlank();
        assertThat(body.path("code").asInt()).isBetween(40000, 40099);
        assertThat(rowsOnPrimary("users")).as("users stored").isEqualTo(usersBefore);
        assertThat(rowsOnPrimary("auth_tokens")).as("tokens stored").isEqualTo(tokensBefore);
    }

    private void assertRegistrationRefused(String json, String messagePart) {
        assertRefused(RawHttp.request("POST", "/user/register").json(json), messagePart);
    }

    private void assertRegistrationRefused(byte[] body, String messagePart) {
        assertRefused(RawHttp.request("POST", "/user/register").header("Content-Type", "application/json").body(body),
                messagePart);
    }

    @Test
    void nulInAnyTextFieldIsA400NotA500() {
        for (String field : List.of("first_name", "second_name", "city", "biography")) {
            assertRegistrationRefused(bodyWith(field, "\"a\\u0000b\""), field);
        }
        assertRefused(RawHttp.request("GET", "/user/search?first_name=a%00&last_name=b"), "first_name");
    }

    @Test
    void invalidPercentEncodingInTheQueryIsA400NotA500() {
        assertRefused(RawHttp.request("GET", "/user/search?first_name=%FF&last_name=b"), "query string");
        assertRefused(RawHttp.request("GET", "/user/search?first_name=%C0%AF&last_name=b"), "query string");
        assertRefused(RawHttp.request("GET", "/user/search?first_name=%ED%A0%80&last_name=b"), "query string");
    }

    @Test
    void numbersAndBooleansAreNotStrings() {
        assertRegistrationRefused(bodyWith("first_name", "123"), "first_name");
        assertRegistrationRefused(bodyWith("city", "true"), "city");
        assertRegistrationRefused(bodyWith("password", "12345678"), "password");
        assertRegistrationRefused(bodyWith("biography", "1.5"), "biography");
        assertRefused(RawHttp.request("POST", "/login").json("{\"id\":1,\"password\":\"" + PASSWORD + "\"}"), "id");
    }

    @Test
    void aBirthdateIsAStringYyyyMmDdAndNothingElse() {
        assertRegistrationRefused(bodyWith("birthdate", "7000"), "birthdate");
        assertRegistrationRefused(bodyWith("birthdate", "[1990,1,1]"), "birthdate");
        assertRegistrationRefused(bodyWith("birthdate", "\"1990-01-01T00:00:00\""), "birthdate");
        assertRegistrationRefused(bodyWith("birthdate", "\"1990-01-01T00:00:00Z\""), "birthdate");
        assertRegistrationRefused(bodyWith("birthdate", "\" 1990-01-01\""), "birthdate");
    }

    @Test
    void duplicateKeysAreRefusedNotLastOneWins() {
        assertRegistrationRefused(bodyWith("first_name", "\"Иван\",\"first_name\":\"Пётр\""), "same key twice");
        assertRefused(RawHttp.request("POST", "/login")
                .json("{\"id\":\"1\",\"password\":\"x\",\"password\":\"" + PASSWORD + "\"}"), "same key twice");
    }

    /** Like a JSON key twice: Spring joined a repeated name's values ("a,b") and answered 200. */
    @Test
    void aQueryParameterGivenTwiceIsRefusedNotJoined() throws Exception {
        assertRefused(RawHttp.request("GET", "/user/search?first_name=a&first_name=b&last_name=c"), "first_name");
        assertRefused(RawHttp.request("GET", "/user/search?first_name=a&last_name=c&limit=1&limit=2"), "limit");
        // HEAD runs the same handler (the API description has no HEAD, so not through RawHttp's check).
        var head = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                + "/user/search?first_name=a&first_name=b&last_name=c"))
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        assertThat(java.net.http.HttpClient.newHttpClient().send(head, java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode()).as("HEAD with a parameter given twice").isEqualTo(400);
        assertThat(new RawHttp(port).send(RawHttp.request("GET", "/user/search?first_name=a&last_name=c&limit=")).status())
                .as("an empty limit still means none given").isEqualTo(200);
    }

    @Test
    void idsAreAsciiDigitsOnly() {
        String id = api.register(unique("Цифры"), "Аски").text("user_id");
        String arabic = toDigits(id, '\u0660');
        String fullwidth = toDigits(id, '\uFF10');
        for (String foreign : List.of(arabic, fullwidth, "0" + id)) {
            assertRefused(RawHttp.request("POST", "/login")
                    .json("{\"id\":\"" + foreign + "\",\"password\":\"" + PASSWORD + "\"}"), "id");
            assertRefused(RawHttp.request("GET", "/user/get/" + percentEncode(foreign)), "id");
        }
        assertRefused(RawHttp.request("GET", "/user/search?first_name=a&last_name=b&limit=%D9%A1"), "limit");
        assertRefused(RawHttp.request("GET", "/user/search?first_name=a&last_name=b&limit=0x10"), "limit");
    }

    @Test
    void malformedEncodingsAreRefusedNotRepaired() {
        byte[] overlongSlash = {(byte) 0xC0, (byte) 0xAF};
        byte[] encodedSurrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
        assertRegistrationRefused(rawBody("first_name", overlongSlash), "UTF-8");
        assertRegistrationRefused(rawBody("city", encodedSurrogate), "UTF-8");
        assertRegistrationRefused(rawBody("biography", new byte[] {(byte) 0xFF}), "UTF-8");
        assertRegistrationRefused(bodyWith("first_name", "\"Ива\\ud800н\""), "first_name");
        assertRegistrationRefused(bodyWith("password", "\"correct horse\\udfff\""), "password");
    }

    @Test
    void controlCharactersAndInvisibleNamesAreRefused() {
        assertRegistrationRefused(bodyWith("first_name", "\"\\u001b[31mRed\\u001b[0m\""), "control");
        assertRegistrationRefused(bodyWith("biography", "\"text \\u001b[2J cleared\""), "control");
        assertRegistrationRefused(bodyWith("city", "\"Мо\\u0007сква\""), "control");
        assertRegistrationRefused(bodyWith("second_name", "\"Пет\\u202eров\""), "bidirectional");
        for (String invisible : List.of("\\u200b\\u200b", "\\u00a0", "\\u3000\\u3000", "\\u2060", "\\ufeff",
                "\\u3164", "\\u0301")) {
            assertRegistrationRefused(bodyWith("first_name", "\"" + invisible + "\""), "first_name");
        }
    }

    @Test
    void aBiographyKeepsItsLineBreaks() {
        Api.Response r = api.postJson("/user/register", bodyWith("biography", "\"строка 1\\nстрока 2\\tи табуляция\""));
        assertThat(r.status()).isEqualTo(200);
    }

    /**
     * "Йожеф" typed precomposed (U+0419) and decomposed (U+0418 U+0306): stored once in NFC, found
     * by a prefix typed either way, and a second registration typed the other way is the same name.
     */
    @Test
    void aNameTypedInTwoUnicodeFormsIsStoredAndFoundAsOne() {
        String tail = unique("");
        String composed = Normalizer.normalize("Йожеф" + tail, Normalizer.Form.NFC);
        String decomposed = Normalizer.normalize(composed, Normalizer.Form.NFD);
        assertThat(decomposed).isNotEqualTo(composed);
        String first = api.register(decomposed, "Ёлкин\u200b").text("user_id");
        String second = api.register(composed, Normalizer.normalize("Ёлкин", Normalizer.Form.NFD)).text("user_id");
        cluster.awaitReplicasCaughtUp();

        assertThat(cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM users WHERE id IN (" + first + "," + second
                + ") AND first_name IS NFC NORMALIZED AND second_name = 'Ёлкин'")).isEqualTo(2);
        for (String prefix : List.of("Йо", Normalizer.normalize("Йо", Normalizer.Form.NFD))) {
            for (String last : List.of("Ёл", Normalizer.normalize("Ёл", Normalizer.Form.NFD))) {
                Api.Response found = api.get("/user/search", Map.of("first_name", prefix + "жеф" + tail, "last_name", last));
                assertThat(found.status()).isEqualTo(200);
                List<String> ids = new java.util.ArrayList<>();
                found.json().forEach(user -> ids.add(user.get("id").asString()));
                assertThat(ids).as("search %s / %s", prefix, last).containsExactly(first, second);
                assertThat(found.json().get(0).get("first_name").asString()).isEqualTo(composed);
            }
        }
    }

    private static byte[] rawBody(String field, byte[] rawValue) {
        String[] parts = bodyWith(field, "\"@@\"").split("@@");
        byte[] head = (parts[0] + "x").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("y" + parts[1]).getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + rawValue.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(rawValue, 0, body, head.length, rawValue.length);
        System.arraycopy(tail, 0, body, head.length + rawValue.length, tail.length);
        return body;
    }

    private static String toDigits(String asciiDigits, char zero) {
        StringBuilder out = new StringBuilder();
        for (char c : asciiDigits.toCharArray()) {
            out.append((char) (zero + (c - '0')));
        }
        return out.toString();
    }

    private static String percentEncode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append(b >= '0' && b <= '9' ? String.valueOf((char) b) : String.format("%%%02X", b & 0xFF));
        }
        return out.toString();
    }
}
