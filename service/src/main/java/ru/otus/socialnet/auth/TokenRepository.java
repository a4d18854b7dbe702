package ru.otus.socialnet.auth;

import java.time.Duration;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The {@code auth_tokens} table: SHA-256 hashes of issued tokens, never the tokens. */
@Repository
public class TokenRepository {

    private final JdbcClient jdbc;

    public TokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores the hash of a new token for {@code userId}, valid for {@code ttl} from the database's
     * now(), and drops this user's expired tokens, so the table does not grow with every login. One
     * transaction on the primary. (A commit cut off here needs no resolving: the client never got
     * the token, and another login makes a new one.)
     */
    @Transactional
    public void store(byte[] tokenHash, long userId, Duration ttl) {
        jdbc.sql("DELETE FROM auth_tokens WHERE user_id = :user AND expires_at < now()")
                .param("user", userId)
                .update();
        jdbc.sql("""
                        INSERT INTO auth_tokens (token_hash, user_id, expires_at)
                        VALUES (:hash, :user, now() + make_interval(secs => :ttl))""")
                .param("hash", tokenHash)
                .param("user", userId)
                .param("ttl", (double) ttl.toSeconds())
                .update();
    }
}
