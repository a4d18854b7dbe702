package ru.otus.socialnet.user;

import ru.otus.socialnet.system.ApiException;

/** User ids are positive integers in the database and strings in the API. */
public final class UserId {

    private UserId() {
    }

    /** The numeric id, or a 400 naming the field when {@code text} cannot be a user id. */
    public static long parse(String text, String field) {
        if (text != null && !text.isEmpty() && text.length() <= 19 && text.chars().allMatch(Character::isDigit)) {
            try {
                long id = Long.parseLong(text);
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the 400 below
            }
        }
        throw ApiException.invalid(field + ": not a user id (a positive integer as a string)");
    }
}
