package ru.otus.socialnet.chaos;

import java.util.Optional;

import ru.otus.socialnet.consistency.ConsistencyToken;

/**
 * What the campaign's clients and checker need of an {@code X-Consistency-Token} as they received
 * it: its timeline, and the later of two. The format itself is {@link ConsistencyToken}'s, written
 * once; here a missing or malformed header is a value (a client keeps going), not an error.
 */
public final class Token {

    private Token() {
    }

    /** The timeline of a token, or -1 when there is no token or it is not one. */
    public static int timeline(String token) {
        return parse(token).map(ConsistencyToken::timeline).orElse(-1);
    }

    /**
     * The later of two tokens (timeline first, then position); a client session carries the later
     * one, so that one read sees all its earlier writes. Null or malformed tokens lose.
     */
    public static String later(String a, String b) {
        Optional<ConsistencyToken> ta = parse(a);
        Optional<ConsistencyToken> tb = parse(b);
        if (ta.isEmpty()) {
            return tb.isPresent() ? b : a;
        }
        return tb.isPresent() && tb.get().isAfter(ta.get()) ? b : a;
    }

    private static Optional<ConsistencyToken> parse(String token) {
        if (token == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ConsistencyToken.parse(token));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
