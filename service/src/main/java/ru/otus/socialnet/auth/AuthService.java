package ru.otus.socialnet.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import ru.otus.socialnet.system.ApiError;
import ru.otus.socialnet.system.ApiException;
import ru.otus.socialnet.user.UserId;
import ru.otus.socialnet.user.UserRepository;

/** Login: checks the password against its bcrypt hash and issues a random session token. */
@Service
public class AuthService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserRepository users;
    private final TokenRepository tokens;
    private final PasswordEncoder passwords;
    private final Duration tokenTtl;

    public AuthService(UserRepository users, TokenRepository tokens, PasswordEncoder passwords,
                       @Value("${socialnet.auth.token-ttl:24h}") Duration tokenTtl) {
        this.users = users;
        this.tokens = tokens;
        this.passwords = passwords;
        this.tokenTtl = tokenTtl;
    }

    /**
     * A new token for this user. The password hash is read on the primary (a user who just
     * registered may not have reached a replica yet); bcrypt runs outside any transaction, so no
     * connection waits on its ~0.1 s; the token is stored on the primary.
     */
    public String login(LoginRequest request) {
        long id = UserId.parse(request.id(), "id");
        String hash = users.findPasswordHash(id)
                .orElseThrow(() -> new ApiException(ApiError.USER_NOT_FOUND, "user " + id + " not found"));
        if (!passwords.matches(request.password(), hash)) {
            throw new ApiException(ApiError.WRONG_CREDENTIALS, "wrong id or password");
        }
        byte[] raw = new byte[32]; // 256 bits
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        tokens.store(sha256(token), id, tokenTtl);
        return token;
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
