package ru.otus.socialnet.user;

import java.util.UUID;

import ru.otus.socialnet.system.ApiException;

/**
 * The unique key stored with a registration: the client's {@code Idempotency-Key} (IETF httpapi
 * draft "The Idempotency-Key HTTP Header Field"), or one the service makes for the request. Either
 * way, one key stores at most one user: a resend with the same key gets the same user, and a commit
 * whose outcome is unknown is resolved by looking the key up.
 *
 * @param value      what is stored in {@code users.registration_key}
 * @param fromClient whether the client chose it (and may resend with it)
 */
public record RegistrationKey(String value, boolean fromClient) {

    public static final String HEADER = "Idempotency-Key";

    private static final int MAX_LENGTH = 255;

    /**
     * The client's key from the header, or a fresh one when there is none. The draft's form is a
     * structured-field string ({@code "8e03978e-..."}); a bare token is taken too. Visible ASCII only,
     * 1 to 255 characters; anything else is the client's mistake.
     */
    public static RegistrationKey fromHeader(String header) {
        if (header == null) {
            return new RegistrationKey("srv:" + UUID.randomUUID(), false);
        }
        String key = unquote(header.strip());
        if (key.isEmpty() || key.length() > MAX_LENGTH) {
            throw ApiException.invalid(HEADER + ": 1 to " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw ApiException.invalid(HEADER + ": visible ASCII characters only");
            }
        }
        return new RegistrationKey(key, true);
    }

    /** A structured-field string {@code "..."} (with its \" and \\ escapes), else the text as is. */
    private static String unquote(String text) {
        if (text.length() < 2 || text.charAt(0) != '"' || text.charAt(text.length() - 1) != '"') {
            if (text.indexOf('"') >= 0) {
                throw ApiException.invalid(HEADER + ": a quoted key must be one \"...\" string");
            }
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 1; i < text.length() - 1; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 >= text.length() - 1 || (text.charAt(i + 1) != '"' && text.charAt(i + 1) != '\\')) {
                    throw ApiException.invalid(HEADER + ": only \\\" and \\\\ may be escaped in a quoted key");
                }
                c = text.charAt(++i);
            } else if (c == '"') {
                throw ApiException.invalid(HEADER + ": an unescaped quote inside a quoted key");
            }
            out.append(c);
        }
        return out.toString();
    }
}
