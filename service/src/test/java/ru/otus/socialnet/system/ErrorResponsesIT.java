package ru.otus.socialnet.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/** The error contract: every error has message, request_id and code; a dead database is a 503 with Retry-After. */
class ErrorResponsesIT extends ReplicatedServiceTest {

    @Test
    void primaryDownMakesWritesA503WithRetryAfterWhileReadsGoOn() {
        Api.Response registered = api.register(unique("Читаемый"), "Сервер");
        assertThat(registered.status()).isEqualTo(200);
        String id = registered.text("user_id");
        cluster.awaitReplicasCaughtUp();
        cluster.stop(Node.PRIMARY);
        try {
            assertThat(api.get("/user/get/" + id).status()).as("reads are served by the replicas").isEqualTo(200);
            Api.Response r = api.register(unique("Упал"), "Сервер");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).matches("[1-9][0-9]*");
            assertThat(r.text("message")).contains("unavailable");
            assertThat(r.json().get("code").asInt()).isEqualTo(50301);
            assertThat(r.text("request_id")).isEqualTo(r.header("X-Request-Id"));
            assertThat(r.raw().body()).doesNotContain("Exception").doesNotContain("at org.");
        } finally {
            cluster.start(Node.PRIMARY);
        }
        // Back up: writes work again without a restart of the service. The first one may still
        // meet a pooled connection the shutdown broke and get the 503 a client retries on.
        int status = 0;
        for (int i = 0; i < 20 && status != 200; i++) {
            status = api.register(unique("Поднялся"), "Сервер").status();
            assertThat(status).isIn(200, 503);
            if (status != 200) {
                TestCluster.sleep(500);
            }
        }
        assertThat(status).isEqualTo(200);
    }

    @Test
    void everyNodeDownMakesReadsA503() {
        for (Node node : Node.values()) {
            cluster.stop(node);
        }
        try {
            Api.Response r = api.get("/user/get/1");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotBlank();
        } finally {
            for (Node node : Node.values()) {
                cluster.start(node);
            }
        }
    }

    @Test
    void unknownPathAndWrongMethodCarryTheErrorFields() {
        Api.Response notFound = api.get("/no/such/path");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.text("message")).isNotBlank();
        assertThat(notFound.text("request_id")).isNotBlank();
        Api.Response wrongMethod = api.get("/user/register");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().get("code").asInt()).isEqualTo(40500);
    }

    @Test
    void aSaneIncomingRequestIdIsEchoedAndAnUnsafeOneReplaced() {
        Api.Response echoed = api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/get/abc"))
                .header("X-Request-Id", "client-42").GET());
        assertThat(echoed.header("X-Request-Id")).isEqualTo("client-42");
        assertThat(echoed.text("request_id")).isEqualTo("client-42");
        Api.Response replaced = api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/get/abc"))
                .header("X-Request-Id", "bad id <script>").GET());
        assertThat(replaced.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void wrongContentTypeIs415WithTheErrorFields() {
        Api.Response r = api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/register"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("hello")));
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.text("message")).isNotBlank();
    }
}
