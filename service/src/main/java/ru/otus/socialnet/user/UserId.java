package ru.otus.socialnet.user;

import ru.otus.socialnet.system.ApiException;
import ru.otus.socialnet.system.AsciiNumbers;

/**
 * User ids are positive integers in the database and strings in the API, written as the service
 * writes them: ASCII digits without leading zeros ({@link AsciiNumbers}). {@code "١"} (Arabic-Indic)
 * or {@code "１"} (fullwidth) are digits to Java, but they are not ids.
 */
public final class UserId {

    private UserId() {
    }

    /** The numeric id, or a 400 naming the field when {@code text} cannot be a user id. */
    public static long parse(String text, String field) {
        long id = AsciiNumbers.parse(text, Long.MAX_VALUE).orElse(0);
        if (id > 0) {
            return id;
        }
        throw ApiException.invalid(field + ": not a user id (a positive integer in ASCII digits, as a string)");
    }
}
