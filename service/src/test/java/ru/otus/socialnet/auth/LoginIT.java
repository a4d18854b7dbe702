package ru.otus.socialnet.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.TestCluster.Node;

class LoginIT extends ReplicatedServiceTest {

    private static final String PASSWORD = "correct horse battery";

    private String newUser() {
        return api.register(unique("Вход"), "Логинов").text("user_id");
    }

    @Test
    void loginReturnsARandomTokenStoredOnlyAsItsHashWithAnExpiry() throws Exception {
        String id = newUser();
        Api.Response first = api.postJson("/login", Map.of("id", id, "password", PASSWORD));
        Api.Response second = api.postJson("/login", Map.of("id", id, "password", PASSWORD));
        assertThat(first.status()).isEqualTo(200);
        String token = first.text("token");
        assertThat(Base64.getUrlDecoder().decode(token)).hasSizeGreaterThanOrEqualTo(16); // >= 128 bits
        assertThat(second.text("token")).isNotEqualTo(token);

        String hashHex = java.util.HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        assertThat(cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM auth_tokens WHERE token_hash = '\\x"
                + hashHex + "' AND user_id = " + Long.parseLong(id)
                + " AND expires_at > now() + interval '23 hours'")).isEqualTo(1);
        assertThat(cluster.queryLong(Node.PRIMARY, "SELECT count(*) FROM auth_tokens WHERE encode(token_hash, 'escape') LIKE '%"
                + token + "%'")).isZero();
    }

    /**
     * Login reads the password hash on the primary ({@code @ReadOnPrimary}): a user who has just
     * registered logs in at once, even when no standby has replayed the registration yet. Moved to a
     * standby, this login would answer 404.
     */
    @Test
    void aUserLogsInTheMomentTheyRegisterEvenBeforeAnyStandbyHasTheRow() {
        try {
            for (Node replica : new Node[] {Node.REPLICA1, Node.REPLICA2}) {
                cluster.execute(replica, "SELECT pg_wal_replay_pause()");
            }
            String id = newUser();
            assertThat(api.get("/user/get/" + id).status()).as("the standbys do not have the user yet").isEqualTo(404);
            Api.Response login = api.postJson("/login", Map.of("id", id, "password", PASSWORD));
            assertThat(login.status()).as("login right after registration").isEqualTo(200);
        } finally {
            for (Node replica : new Node[] {Node.REPLICA1, Node.REPLICA2}) {
                cluster.execute(replica, "SELECT pg_wal_replay_resume()");
            }
            cluster.awaitReplicasCaughtUp();
        }
    }

    @Test
    void wrongPasswordIs400() {
        Api.Response r = api.postJson("/login", Map.of("id", newUser(), "password", "not the password"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("message")).contains("password");
        assertThat(r.json().get("code").asInt()).isEqualTo(40003);
    }

    @Test
    void unknownIdIs404() {
        Api.Response r = api.postJson("/login", Map.of("id", "987654321", "password", PASSWORD));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text("request_id")).isNotBlank();
    }

    @Test
    void malformedBodiesAre400() {
        assertThat(api.postJson("/login", "{\"id\": ").status()).isEqualTo(400);
        assertThat(api.postJson("/login", Map.of("password", PASSWORD)).status()).isEqualTo(400);
        assertThat(api.postJson("/login", Map.of("id", "1")).status()).isEqualTo(400);
        Api.Response badId = api.postJson("/login", Map.of("id", "abc", "password", PASSWORD));
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.text("message")).contains("id");
    }
}
