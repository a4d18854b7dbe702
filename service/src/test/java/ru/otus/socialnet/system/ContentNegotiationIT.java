package ru.otus.socialnet.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request whose answer the client will not take (its Accept excludes JSON) is refused with 406
 * BEFORE anything is stored: a client that retries a 406 must not create a user (or a token) per
 * try. Every Accept the OTUS clients send (none, *&#47;*, JSON, a browser's) keeps working.
 */
class ContentNegotiationIT extends ReplicatedServiceTest {

    private static final String PASSWORD = "correct horse battery";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Api.Response post(String path, Map<String, ?> body, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return api.send(request);
    }

    private static void assertNotAcceptable(Api.Response r) {
        assertThat(r.status()).isEqualTo(406);
        assertThat(r.text("message")).isNotBlank();
        assertThat(r.text("request_id")).isEqualTo(r.header("X-Request-Id")).isNotBlank();
        assertThat(r.json().get("code").asInt()).isEqualTo(40600);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/xml", "text/plain", "text/html", "image/png", "application/xml, text/*"})
    void registrationTheClientWouldNotTakeStoresNoUser(String accept) {
        long before = rowsOnPrimary("users");
        Api.Response r = post("/user/register", Api.user(unique("Несогласный"), "Формат"), accept);
        assertNotAcceptable(r);
        assertThat(rowsOnPrimary("users")).as("users stored by a 406 answer").isEqualTo(before);
    }

    @Test
    void loginTheClientWouldNotTakeStoresNoToken() {
        String id = api.register(unique("Токен"), "Формат").text("user_id");
        long before = rowsOnPrimary("auth_tokens");
        Api.Response r = post("/login", Map.of("id", id, "password", PASSWORD), "application/xml");
        assertNotAcceptable(r);
        assertThat(rowsOnPrimary("auth_tokens")).as("tokens stored by a 406 answer").isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*/*", "application/json", "application/*", "application/json, text/plain, */*",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json;charset=UTF-8"})
    void everyAcceptOfOrdinaryClientsStillWorks(String accept) {
        Api.Response registered = post("/user/register", Api.user(unique("Клиент"), "Обычный"),
                accept.isEmpty() ? null : accept);
        assertThat(registered.status()).as("register with Accept '%s'", accept).isEqualTo(200);
        assertThat(registered.header("Content-Type")).startsWith("application/json");
        Api.Response login = post("/login", Map.of("id", registered.text("user_id"), "password", PASSWORD),
                accept.isEmpty() ? null : accept);
        assertThat(login.status()).as("login with Accept '%s'", accept).isEqualTo(200);
        HttpRequest.Builder get = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/user/get/" + registered.text("user_id")))
                .header("X-Consistency-Token", registered.header("X-Consistency-Token")).GET();
        if (!accept.isEmpty()) {
            get.header("Accept", accept);
        }
        assertThat(api.send(get).status()).as("get with Accept '%s'", accept).isEqualTo(200);
    }

    @Test
    void readsTheClientWouldNotTakeAre406WithTheErrorBody() {
        assertNotAcceptable(api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/get/1"))
                .header("Accept", "application/xml").GET()));
        assertNotAcceptable(api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/user/search?first_name=a&last_name=b")).header("Accept", "text/csv").GET()));
    }
}
