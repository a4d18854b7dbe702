package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * One request, one user — even when the COMMIT's outcome is unknown, and across the client's own
 * resends. The cut-off commit is made the way it happens for real: quorum commit with both standbys
 * hung (their WAL senders still count as streaming, so the write is taken — a write that races the
 * standbys' loss) parks the commit in SyncRep (already durable on the primary), and the session is
 * terminated there. (With both standbys stopped the write is refused up front: QuorumWithoutStandbyIT.)
 * Every count is the primary's own.
 */
class ExactlyOnceRegistrationIT extends ReplicatedServiceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY = "Idempotency-Key";

    private final ExecutorService client = Executors.newSingleThreadExecutor();

    @AfterEach
    void restoreCluster() {
        cluster.cli("sync", "async"); // also releases any commit still waiting for a standby
        cluster.resume(Node.REPLICA1);
        cluster.resume(Node.REPLICA2);
        client.shutdownNow();
        cluster.awaitReplicasCaughtUp();
    }

    @Test
    void aCommitCutOffWhileWaitingForAStandbyStoresTheUserOnceAndAnswersWithIt() throws Exception {
        String marker = unique("Обрыв");
        Future<Api.Response> answer = registerWhileStandbysAreDown(marker, null);
        cutOffTheCommitWaitingForAStandby();
        cluster.resume(Node.REPLICA1); // the service can now confirm what the cut-off commit stored

        Api.Response r = answer.get(60, TimeUnit.SECONDS);
        assertThat(rowsWith(marker)).as("users stored for the one request").isEqualTo(1);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        assertThat(r.text("user_id")).isEqualTo(Long.toString(idOf(marker)));
    }

    @Test
    void whileItCannotBeFoundOutTheClientHearsTheOutcomeIsUnknownAndTheKeyResolvesIt() throws Exception {
        String marker = unique("Неизвестно");
        Future<Api.Response> answer = registerWhileStandbysAreDown(marker, null);
        cutOffTheCommitWaitingForAStandby();

        Api.Response r = answer.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(504);
        assertThat(r.json().get("code").asInt()).isEqualTo(50401);
        assertThat(r.header("Retry-After")).as("no invitation to a blind resend").isNull();
        String key = r.text("idempotency_key");
        assertThat(key).isNotBlank();
        assertThat(r.text("message")).contains(KEY, key);
        assertThat(rowsWith(marker)).isEqualTo(1);

        cluster.resume(Node.REPLICA1);
        Api.Response resent = resendUntilServed(marker, key);
        assertThat(resent.status()).as(resent.raw().body()).isEqualTo(200);
        assertThat(resent.text("user_id")).isEqualTo(Long.toString(idOf(marker)));
        assertThat(rowsWith(marker)).as("the resend with the key found the first user").isEqualTo(1);
    }

    @Test
    void theSameKeyWithTheSameBodyGetsTheSameUserAndADifferentBodyIsRefused() {
        String marker = unique("Ключ");
        String key = UUID.randomUUID().toString();
        Api.Response first = register(marker, key);
        assertThat(first.status()).isEqualTo(200);
        Api.Response again = register(marker, "\"" + key + "\""); // the draft's structured-field form
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.text("user_id")).isEqualTo(first.text("user_id"));
        assertThat(rowsWith(marker)).isEqualTo(1);

        Map<String, Object> otherCity = Api.user(marker, "Повтор");
        otherCity.put("city", "Омск");
        Api.Response different = send(otherCity, key);
        assertThat(different.status()).isEqualTo(422);
        assertThat(different.json().get("code").asInt()).isEqualTo(42201);
        assertThat(different.text("message")).contains(KEY);
        Map<String, Object> otherPassword = Api.user(marker, "Повтор");
        otherPassword.put("password", "another secret phrase");
        assertThat(send(otherPassword, key).status()).as("a different password is a different request").isEqualTo(422);
        assertThat(rowsWith(marker)).isEqualTo(1);
    }

    @Test
    void resendsOfOneKeyAtTheSameTimeStoreOneUser() throws Exception {
        String marker = unique("Гонка");
        String key = UUID.randomUUID().toString();
        ExecutorService racers = Executors.newFixedThreadPool(6);
        try {
            List<Future<Api.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(racers.submit(() -> register(marker, key)));
            }
            List<String> ids = new ArrayList<>();
            for (Future<Api.Response> f : answers) {
                Api.Response r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.raw().body()).isIn(200, 409);
                if (r.status() == 200) {
                    ids.add(r.text("user_id"));
                }
            }
            assertThat(ids).isNotEmpty().allMatch(id -> id.equals(ids.get(0)));
        } finally {
            racers.shutdownNow();
        }
        assertThat(rowsWith(marker)).isEqualTo(1);
    }

    @Test
    void aMalformedKeyIsA400AndStoresNothing() {
        String marker = unique("Плохой");
        // (non-ASCII keys are refused too: RegistrationKeyTest; Java's HTTP client will not send them)
        for (String bad : new String[] {"", "   ", "tab\tkey", "a".repeat(256), "\"unterminated", "a\"b"}) {
            Api.Response r = register(marker, bad);
            assertThat(r.status()).as("Idempotency-Key [%s]", bad).isEqualTo(400);
            assertThat(r.text("message")).contains(KEY);
        }
        assertThat(rowsWith(marker)).isZero();
    }

    private Future<Api.Response> registerWhileStandbysAreDown(String marker, String key) {
        cluster.cli("sync", "quorum");
        cluster.awaitReplicasCaughtUp(); // both confirm commits again before they hang
        cluster.pause(Node.REPLICA1);
        cluster.pause(Node.REPLICA2);
        return client.submit(() -> register(marker, key));
    }

    /** Terminates the service's session whose COMMIT waits for a standby (it is durable locally). */
    private void cutOffTheCommitWaitingForAStandby() {
        String waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'"
                + " AND application_name = 'socialnet-write'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.queryLong(Node.PRIMARY, waiting) == 0) {
            assertThat(System.nanoTime()).as("a registration's commit waiting in SyncRep").isLessThan(deadline);
            TestCluster.sleep(20);
        }
        cluster.queryLong(Node.PRIMARY, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE wait_event = 'SyncRep' AND application_name = 'socialnet-write'");
    }

    /**
     * Resends as a client that honours Retry-After does. A hung standby's WAL sender is ended after
     * wal_sender_timeout, so for the seconds its receiver takes to reconnect after the resume no
     * standby can confirm a commit, and the write is refused up front: 503, nothing stored.
     */
    private Api.Response resendUntilServed(String marker, String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Api.Response r = register(marker, key);
        while (r.status() == 503 && System.nanoTime() < deadline) {
            assertThat(r.header("Retry-After")).as("a refusal says when to come back").isNotNull();
            assertThat(rowsWith(marker)).as("a refused resend stores nothing").isEqualTo(1);
            TestCluster.sleep(200);
            r = register(marker, key);
        }
        return r;
    }

    private Api.Response register(String marker, String key) {
        return send(Api.user(marker, "Повтор"), key);
    }

    private Api.Response send(Map<String, Object> body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/register"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (key != null) {
            request.header(KEY, key);
        }
        return api.send(request);
    }

    private long rowsWith(String marker) {
        return cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM users WHERE first_name = '" + marker + "'");
    }

    private long idOf(String marker) {
        return cluster.queryLong(Node.PRIMARY, "SELECT id FROM users WHERE first_name = '" + marker + "'");
    }
}
