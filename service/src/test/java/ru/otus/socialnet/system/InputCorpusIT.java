package ru.otus.socialnet.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.ApiContract;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.RawHttp;

/**
 * Input nobody should send, sent as raw HTTP the way a careful tester does. Every case must be
 * refused with its expected 4xx and the spec's error body (message, request_id, code), must store
 * nothing (users and tokens counted on the primary before and after), and must match the published
 * OpenAPI description. Never a 5xx.
 *
 * <p>{@code {ID}} in a case is replaced by the id of a real user whose password is {@link #PASSWORD}:
 * the login cases would store a token if they were let through. The status of every case is
 * tallied and written to {@code target/input-corpus.txt}.
 */
class InputCorpusIT extends ReplicatedServiceTest {

    static final String PASSWORD = "correct horse battery";
    private static final String VALID = "{\"first_name\":\"Корпус\",\"second_name\":\"Тестов\",\"birthdate\":\"1990-05-01\","
            + "\"biography\":\"пишет тесты\",\"city\":\"Казань\",\"password\":\"" + PASSWORD + "\"}";
    private static final Map<Integer, Integer> HISTOGRAM = new ConcurrentSkipListMap<>();
    private static final List<String> SERVER_ERRORS = new ArrayList<>();
    private static String knownId;

    /** One row of the table: what is sent, and the status and error code it must get. */
    record Case(String name, RawHttp.Request request, int status, int code) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeEach
    void knownUser() {
        if (knownId == null) {
            knownId = api.postJson("/user/register", VALID).text("user_id");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithTheErrorBodyAndNothingStored(Case c) {
        RawHttp.Request request = withKnownId(c.request());
        long users = rowsOnPrimary("users");
        long tokens = rowsOnPrimary("auth_tokens");

        RawHttp.Response r = new RawHttp(port).sendUnchecked(request);
        HISTOGRAM.merge(r.status(), 1, Integer::sum);
        if (r.status() >= 500) {
            SERVER_ERRORS.add(c.name() + " -> " + r.status());
        }

        assertThat(r.status()).as("%s: status (body %s)", c.name(), r.text()).isEqualTo(c.status());
        JsonNode body = r.json();
        assertThat(body).as("%s: a JSON error body, got %s", c.name(), r.text()).isNotNull();
        assertThat(body.path("message").asString()).as("%s: message", c.name()).isNotBlank();
        assertThat(body.path("request_id").asString()).as("%s: request_id", c.name())
                .isNotBlank().isEqualTo(r.header("X-Request-Id"));
        assertThat(body.path("code").asInt()).as("%s: code (message: %s)", c.name(), body.path("message").asString())
                .isEqualTo(c.code());
        assertThat(rowsOnPrimary("users")).as("%s: users stored", c.name()).isEqualTo(users);
        assertThat(rowsOnPrimary("auth_tokens")).as("%s: tokens stored", c.name()).isEqualTo(tokens);
        ApiContract.of("http://127.0.0.1:" + port).check(request.method(), request.target(), r.status(),
                r.headers(), r.text());
    }

    @AfterAll
    static void writeHistogram() throws IOException {
        StringBuilder out = new StringBuilder("input corpus: " + HISTOGRAM.values().stream().mapToInt(i -> i).sum()
                + " cases; status histogram " + HISTOGRAM + "\n");
        SERVER_ERRORS.forEach(e -> out.append("  5xx: ").append(e).append('\n'));
        System.out.print(out);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/input-corpus.txt"), out.toString());
    }

    private static RawHttp.Request withKnownId(RawHttp.Request request) {
        return request.substitute("{ID}", knownId);
    }

    // ---------------------------------------------------------------- the table

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        registrationTypes(all);
        registrationDates(all);
        registrationText(all);
        registrationEncodings(all);
        registrationSizes(all);
        malformedJson(all);
        mediaTypesAndMethods(all);
        ids(all);
        search(all);
        login(all);
        headersAndRequestLines(all);
        return all.stream();
    }

    private static void registrationTypes(List<Case> all) {
        for (String field : List.of("first_name", "second_name", "biography", "city", "password")) {
            for (String value : List.of("123", "12345678", "1.5", "true", "{\"x\":\"y\"}", "[\"Иван\"]")) {
                all.add(register("type: " + field + "=" + value, with(field, value), 400, 40002));
            }
        }
        for (String field : List.of("first_name", "second_name", "birthdate", "city", "password")) {
            all.add(register("null " + field, with(field, "null"), 400, 40001));
            all.add(register("missing " + field, without(field), 400, 40001));
        }
        for (String field : List.of("first_name", "second_name", "city", "password")) {
            all.add(register("empty " + field, with(field, "\"\""), 400, 40001));
        }
        all.add(register("duplicate first_name", VALID.replace("{", "{\"first_name\":\"Другой\","), 400, 40002));
        all.add(register("duplicate password", VALID.replace("}", ",\"password\":\"another password\"}"), 400, 40002));
        all.add(register("duplicate birthdate", VALID.replace("}", ",\"birthdate\":\"1991-01-01\"}"), 400, 40002));
    }

    private static void registrationDates(List<Case> all) {
        for (String value : List.of("7000", "-1", "1990.5", "true", "[1990,1,1]", "[\"1990-01-01\"]", "{\"year\":1990}",
                "\"1990-01-01T00:00:00\"", "\"1990-01-01T00:00:00Z\"", "\" 1990-01-01\"", "\"1990-01-01 \"",
                "\"1990-1-1\"", "\"19900101\"", "\"1990/01/01\"", "\"01.02.1990\"", "\"1990-02-30\"", "\"1990-13-01\"",
                "\"+1990-01-01\"", "\"\\u0661\\u0669\\u0669\\u0660-01-01\"", "\"1990-01-01\\u0000\"", "\"0000-00-00\"",
                "\"\"", "\"today\"")) {
            all.add(register("birthdate " + value, with("birthdate", value), 400, 40002));
        }
        for (String value : List.of("\"2999-01-01\"", "\"1812-09-07\"", "\"-0001-01-01\"")) {
            all.add(register("birthdate " + value, with("birthdate", value), 400, 40001));
        }
    }

    private static void registrationText(List<Case> all) {
        Map<String, String> controls = new TreeMap<>(Map.of(
                "NUL", "\\u0000", "ESC[31m", "\\u001b[31m", "BEL", "\\u0007", "DEL", "\\u007f", "NEL (C1)", "\\u0085",
                "CSI (C1)", "\\u009b", "backspace", "\\b"));
        controls.forEach((name, escape) -> {
            for (String field : List.of("first_name", "second_name", "city", "biography")) {
                all.add(register(name + " in " + field, with(field, "\"a" + escape + "b\""), 400, 40001));
            }
        });
        all.add(register("NUL in password", with("password", "\"correct\\u0000horse\""), 400, 40001));
        all.add(register("line feed in first_name", with("first_name", "\"Ив\\nан\""), 400, 40001));
        all.add(register("tab in city", with("city", "\"Мо\\tсква\""), 400, 40001));
        all.add(register("carriage return in second_name", with("second_name", "\"Пет\\rров\""), 400, 40001));
        all.add(register("line separator in first_name", with("first_name", "\"Ив\\u2028ан\""), 400, 40001));
        all.add(register("RLO override in first_name", with("first_name", "\"Ив\\u202eан\""), 400, 40001));
        all.add(register("isolate in biography", with("biography", "\"a\\u2066b\\u2069\""), 400, 40001));
        for (String invisible : List.of("   ", "\\u200b\\u200b", "\\u00a0", "\\u3000\\u3000", "\\u2060", "\\ufeff",
                "\\u3164", "\\u115f", "\\u2800", "\\u0301", "\\u180e", "\\u200d\\u200c")) {
            all.add(register("invisible first_name '" + invisible + "'", with("first_name", "\"" + invisible + "\""),
                    400, 40001));
        }
        all.add(register("invisible city", with("city", "\"\\u200b\""), 400, 40001));
        all.add(register("invisible second_name", with("second_name", "\"\\u00a0\\u00a0\""), 400, 40001));
        all.add(register("lone high surrogate in first_name", with("first_name", "\"Ив\\ud800ан\""), 400, 40001));
        all.add(register("lone low surrogate in city", with("city", "\"\\udc00\""), 400, 40001));
        all.add(register("reversed surrogate pair in biography", with("biography", "\"\\ude00\\ud83d\""), 400, 40001));
        all.add(register("lone surrogate in password", with("password", "\"correct horse\\udfff\""), 400, 40001));
    }

    private static void registrationEncodings(List<Case> all) {
        Map<String, byte[]> malformed = Map.of(
                "overlong slash C0 AF", new byte[] {(byte) 0xC0, (byte) 0xAF},
                "overlong 3-byte E0 80 AF", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                "encoded surrogate ED A0 80", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                "byte FF", new byte[] {(byte) 0xFF},
                "truncated D0", new byte[] {(byte) 0xD0},
                "5-byte F8 88 80 80 80", new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                "code point above U+10FFFF F4 90 80 80", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                "Windows-1251 'Иван'", "Иван".getBytes(java.nio.charset.Charset.forName("windows-1251")));
        malformed.forEach((name, bytes) -> {
            all.add(new Case("UTF-8: " + name + " in first_name", RawHttp.request("POST", "/user/register")
                    .header("Content-Type", "application/json").body(rawValue("first_name", bytes)), 400, 40002));
        });
        all.add(new Case("UTF-16 body", RawHttp.request("POST", "/user/register")
                .header("Content-Type", "application/json").body(VALID.getBytes(StandardCharsets.UTF_16)), 400, 40002));
    }

    private static void registrationSizes(List<Case> all) {
        all.add(register("first_name of 101", with("first_name", "\"" + "я".repeat(101) + "\""), 400, 40001));
        all.add(register("second_name of 101", with("second_name", "\"" + "b".repeat(101) + "\""), 400, 40001));
        all.add(register("city of 101", with("city", "\"" + "г".repeat(101) + "\""), 400, 40001));
        all.add(register("biography of 4001", with("biography", "\"" + "b".repeat(4001) + "\""), 400, 40001));
        all.add(register("password of 7", with("password", "\"1234567\""), 400, 40001));
        all.add(register("password of 73 bytes", with("password", "\"" + "п".repeat(37) + "\""), 400, 40001));
        all.add(register("body of 2 MiB", with("biography", "\"" + "x".repeat(2 << 20) + "\""), 413, 41301));
        all.add(new Case("chunked body of 2 MiB", RawHttp.request("POST", "/user/register")
                .header("Content-Type", "application/json").header("Transfer-Encoding", "chunked")
                .body(chunked(with("biography", "\"" + "x".repeat(2 << 20) + "\""))), 413, 41301));
        all.add(register("nesting 10000 deep", with("first_name", "[".repeat(10_000) + "]".repeat(10_000)), 400, 40002));
        all.add(register("number of 5000 digits", with("extra", "1".repeat(5000)), 400, 40002));
        all.add(register("key of 60000 characters", VALID.replace("}", ",\"" + "k".repeat(60_000) + "\":1}"), 400, 40002));
    }

    private static void malformedJson(List<Case> all) {
        for (String body : List.of("", "null", "[]", "\"text\"", "123", "true", "{", "{\"first_name\":",
                VALID.replace("}", ",}"), VALID.replace('"', '\''), "/* comment */" + VALID, VALID + " x", VALID + "{}",
                "{first_name:\"Иван\"}", VALID.replace("}", ",\"x\":NaN}"), "\uFEFF\uFEFF" + VALID)) {
            all.add(register("malformed JSON " + abbreviate(body), body, 400, 40002));
        }
        all.add(new Case("gzip claimed, plain garbage", RawHttp.request("POST", "/user/register")
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .body(new byte[] {0x1f, (byte) 0x8b, 0, 0}), 400, 40002));
    }

    private static void mediaTypesAndMethods(List<Case> all) {
        all.add(new Case("register without Content-Type", RawHttp.request("POST", "/user/register")
                .body(VALID.getBytes(StandardCharsets.UTF_8)), 415, 41500));
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/jsonx", "application/json; charset=nonexistent")) {
            all.add(new Case("register as " + type, RawHttp.request("POST", "/user/register").header("Content-Type", type)
                    .body(VALID.getBytes(StandardCharsets.UTF_8)), 415, 41500));
        }
        all.add(new Case("login as text/plain", RawHttp.request("POST", "/login").header("Content-Type", "text/plain")
                .body(("{\"id\":\"{ID}\",\"password\":\"" + PASSWORD + "\"}").getBytes(StandardCharsets.UTF_8)), 415, 41500));
        for (String accept : List.of("application/xml", "text/plain", "image/png", "text/html")) {
            all.add(new Case("register accepting only " + accept, RawHttp.request("POST", "/user/register")
                    .json(VALID).header("Accept", accept), 406, 40600));
        }
        all.add(new Case("login accepting only application/xml", loginRequest("\"{ID}\"", "\"" + PASSWORD + "\"")
                .header("Accept", "application/xml"), 406, 40600));
        all.add(new Case("get accepting only application/xml", RawHttp.request("GET", "/user/get/{ID}")
                .header("Accept", "application/xml"), 406, 40600));
        all.add(new Case("search accepting only text/csv", RawHttp.request("GET", "/user/search?first_name=a&last_name=b")
                .header("Accept", "text/csv"), 406, 40600));
        for (String[] m : new String[][] {{"GET", "/user/register"}, {"PUT", "/user/register"},
                {"DELETE", "/user/register"}, {"PATCH", "/user/register"}, {"GET", "/login"}, {"PUT", "/login"},
                {"POST", "/user/get/1"}, {"DELETE", "/user/get/1"}, {"POST", "/user/search?first_name=a&last_name=b"},
                {"PUT", "/user/search"}, {"TRACE", "/user/get/1"}, {"TRACE", "/user/register"}, {"FOO", "/user/get/1"}}) {
            RawHttp.Request r = RawHttp.request(m[0], m[1]);
            if (!m[0].equals("GET") && !m[0].equals("TRACE") && !m[0].equals("DELETE")) {
                r.json(VALID);
            }
            all.add(new Case("method " + m[0] + " " + m[1], r, 405, 40500));
        }
        for (String path : List.of("/user/register/", "/USER/REGISTER", "/user//register", "/user/register.json",
                "/users/register", "/user/register;jsessionid=1/x")) {
            all.add(new Case("register at " + path, RawHttp.request("POST", path).json(VALID), 404, 40400));
        }
    }

    private static void ids(List<Case> all) {
        for (String id : List.of("abc", "0", "00", "-5", "1.5", "+1", "01", "1e3", "0x1", "1,0",
                "99999999999999999999", "9223372036854775808", "%D9%A1", "%EF%BC%91", "%E0%A5%A7", "%20", "%201",
                "1%20", "%091", "1%0A", "%2B1", "null", "%7B1%7D", "1'%20OR%20'1'='1", "%2e%2e", "9".repeat(5000))) {
            all.add(new Case("get id " + abbreviate(id), RawHttp.request("GET", "/user/get/" + id), 400, 40001));
        }
        for (String id : List.of("..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "%00", "1%00", "%C0%AF", "%FF",
                "%C0%AE%C0%AE", "1%5C..%5C", "\\..\\1")) {
            all.add(new Case("get id (container) " + id, RawHttp.request("GET", "/user/get/" + id), 400, 40001));
        }
        all.add(new Case("get id as raw bytes D9 A1", RawHttp.request("GET",
                "/user/get/\u00D9\u00A1".getBytes(StandardCharsets.ISO_8859_1)), 400, 40001));
        all.add(new Case("get id of 10000 digits (request line too long)",
                RawHttp.request("GET", "/user/get/" + "1".repeat(10_000)), 400, 40001));
        all.add(new Case("get unknown id", RawHttp.request("GET", "/user/get/9223372036854775807"), 404, 40401));
        for (String path : List.of("/user/get/", "/user/get", "/user/get/1/2", "/user/get/..;/register")) {
            all.add(new Case("get path " + path, RawHttp.request("GET", path), 404, 40400));
        }
    }

    private static void search(List<Case> all) {
        for (String query : List.of("", "first_name=a", "last_name=b", "first_name=&last_name=b", "first_name=a&last_name=",
                "first_name=%20%20&last_name=b", "first_name=%E2%80%8B&last_name=b", "first_name=a%00&last_name=b",
                "first_name=a&last_name=%1B%5B31m", "first_name=%E2%80%AEa&last_name=b", "first_name=a%0Ab&last_name=c",
                "first_name=" + "я".repeat(101) + "&last_name=b", "first_name=%ED%B0%80&last_name=b",
                "first_name=a&last_name=b&limit=0", "first_name=a&last_name=b&limit=-1",
                "first_name=a&last_name=b&limit=1001", "first_name=a&last_name=b&limit=abc",
                "first_name=a&last_name=b&limit=1.5", "first_name=a&last_name=b&limit=%D9%A1",
                "first_name=a&last_name=b&limit=0x10", "first_name=a&last_name=b&limit=010",
                "first_name=a&last_name=b&limit=%2010", "first_name=a&last_name=b&limit=99999999999",
                "first_name=a&last_name=b&limit=1e2", "first_name=a&last_name=b&limit=%2B5")) {
            all.add(new Case("search ?" + abbreviate(query), RawHttp.request("GET", "/user/search?" + query), 400, 40001));
        }
        for (String query : List.of("first_name=%FF&last_name=b", "first_name=%C0%AF&last_name=b",
                "first_name=a&last_name=%ED%A0%80", "first_name=%E0%80%80&last_name=b", "first_name=%D0&last_name=b",
                "first_name=a&last_name=b&limit=%FF")) {
            all.add(new Case("search undecodable ?" + query, RawHttp.request("GET", "/user/search?" + query), 400, 40001));
        }
    }

    private static void login(List<Case> all) {
        String pw = "\"" + PASSWORD + "\"";
        for (String id : List.of("1", "true", "[\"{ID}\"]", "{\"id\":\"{ID}\"}", "1.0")) {
            all.add(new Case("login id " + id, loginRequest(id, pw), 400, 40002));
        }
        for (String id : List.of("null", "\"\"", "\" {ID}\"", "\"{ID} \"", "\"0{ID}\"", "\"\\u0661\"", "\"\\uff11\"",
                "\"0\"", "\"-1\"", "\"abc\"", "\"99999999999999999999\"", "\"{ID}\\u0000\"", "\"+{ID}\"")) {
            all.add(new Case("login id " + id, loginRequest(id, pw), 400, 40001));
        }
        for (String password : List.of("12345678", "true", "[\"" + PASSWORD + "\"]")) {
            all.add(new Case("login password " + password, loginRequest("\"{ID}\"", password), 400, 40002));
        }
        all.add(new Case("login password null", loginRequest("\"{ID}\"", "null"), 400, 40001));
        all.add(new Case("login password with lone surrogate", loginRequest("\"{ID}\"", "\"" + PASSWORD + "\\ud800\""),
                400, 40001));
        all.add(new Case("login password with NUL", loginRequest("\"{ID}\"", "\"" + PASSWORD + "\\u0000\""), 400, 40001));
        all.add(new Case("login without id", RawHttp.request("POST", "/login").json("{\"password\":" + pw + "}"),
                400, 40001));
        all.add(new Case("login without password", RawHttp.request("POST", "/login").json("{\"id\":\"{ID}\"}"),
                400, 40001));
        all.add(new Case("login duplicate password", RawHttp.request("POST", "/login")
                .json("{\"id\":\"{ID}\",\"password\":\"wrong\",\"password\":" + pw + "}"), 400, 40002));
        all.add(new Case("login duplicate id", RawHttp.request("POST", "/login")
                .json("{\"id\":\"987654321\",\"password\":" + pw + ",\"id\":\"{ID}\"}"), 400, 40002));
        all.add(new Case("login body []", RawHttp.request("POST", "/login").json("[]"), 400, 40002));
        all.add(new Case("login wrong password", loginRequest("\"{ID}\"", "\"not the password\""), 400, 40003));
        all.add(new Case("login unknown id", loginRequest("\"9223372036854775807\"", pw), 404, 40401));
    }

    private static void headersAndRequestLines(List<Case> all) {
        for (String token : List.of("abc", "1/2/3", "00000001/0/ZZ", "00000001/0/3000148 extra", "00000001/0/",
                "0000000１/0/1")) {
            all.add(new Case("consistency token '" + token + "'", RawHttp.request("GET", "/user/get/{ID}")
                    .header("X-Consistency-Token", token), 400, 40001));
        }
        // Tokens this cluster cannot have issued: a newer timeline, positions far ahead (the largest
        // one used to compare as -1, "replayed by everyone"), the timeline that does not exist.
        for (String token : List.of("0000FFFF/0/1", "00000001/7FFFFFFF/FFFFFFFF", "00000001/FFFFFFFF/FFFFFFFF",
                "00000000/0/1")) {
            all.add(new Case("consistency token '" + token + "'", RawHttp.request("GET", "/user/get/{ID}")
                    .header("X-Consistency-Token", token), 400, 40001));
        }
        // (the non-ASCII key goes out as its raw UTF-8 bytes)
        for (String key : List.of("", "   ", new String("ключ".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1),
                "k".repeat(256), "\"open", "a\"b", "\"bad \\n escape\"", "tab\tkey")) {
            all.add(new Case("Idempotency-Key [" + key + "]", RawHttp.request("POST", "/user/register").json(VALID)
                    .header("Idempotency-Key", key), 400, 40001));
        }
        all.add(new Case("bad request id and a bad id", RawHttp.request("GET", "/user/get/abc")
                .header("X-Request-Id", "<script>alert(1)</script>"), 400, 40001));
        all.add(new Case("header of 20000 bytes", RawHttp.request("GET", "/user/get/{ID}")
                .header("X-Filler", "a".repeat(20_000)), 400, 40001));
        all.add(new Case("no Host header", RawHttp.request("GET", "/user/get/{ID}").withoutHost(), 400, 40001));
        all.add(new Case("Content-Length -1", RawHttp.request("POST", "/user/register")
                .header("Content-Type", "application/json").header("Content-Length", "-1")
                .body(VALID.getBytes(StandardCharsets.UTF_8)), 400, 40001));
        all.add(new Case("broken chunked encoding", RawHttp.request("POST", "/user/register")
                .header("Content-Type", "application/json").header("Transfer-Encoding", "chunked")
                .body("ZZ\r\nabc\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), 400, 40001));
        all.add(new Case("request line with a space in the path", RawHttp.request("GET", "/user/get/1 2"), 400, 40001));
        all.add(new Case("request line with raw braces", RawHttp.request("GET", "/user/get/{1}"), 400, 40001));
    }

    // ---------------------------------------------------------------- helpers

    private static Case register(String name, String body, int status, int code) {
        return new Case(name, RawHttp.request("POST", "/user/register").json(body), status, code);
    }

    private static RawHttp.Request loginRequest(String rawId, String rawPassword) {
        return RawHttp.request("POST", "/login").json("{\"id\":" + rawId + ",\"password\":" + rawPassword + "}");
    }

    /** The valid body with one field's raw JSON value replaced (or added). */
    static String with(String field, String rawJson) {
        String key = "\"" + field + "\":";
        int at = VALID.indexOf(key);
        if (at < 0) {
            return VALID.replace("}", "," + key + rawJson + "}");
        }
        int start = at + key.length();
        int end = VALID.indexOf('"', start + 1) + 1;
        return VALID.substring(0, start) + rawJson + VALID.substring(end);
    }

    static String without(String field) {
        String key = "\"" + field + "\":";
        int at = VALID.indexOf(key);
        int end = VALID.indexOf('"', at + key.length() + 1) + 1;
        String rest = VALID.substring(0, at) + VALID.substring(end);
        return rest.replace(",,", ",").replace("{,", "{").replace(",}", "}");
    }

    /** The valid body whose {@code field} is "x" + raw bytes + "y". */
    private static byte[] rawValue(String field, byte[] bytes) {
        String[] parts = with(field, "\"x@@y\"").split("@@");
        byte[] head = parts[0].getBytes(StandardCharsets.UTF_8);
        byte[] tail = parts[1].getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + bytes.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(bytes, 0, out, head.length, bytes.length);
        System.arraycopy(tail, 0, out, head.length + bytes.length, tail.length);
        return out;
    }

    private static byte[] chunked(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int at = 0; at < bytes.length; at += 65536) {
            int n = Math.min(65536, bytes.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...(" + text.length() + ")";
    }
}
