package ru.otus.socialnet.user;

/** Builds LIKE patterns from user input, in which {@code %}, {@code _} and {@code \} are plain characters. */
final class LikePattern {

    private LikePattern() {
    }

    /** A pattern matching every string that starts with {@code prefix} (use with {@code ESCAPE '\'}). */
    static String startingWith(String prefix) {
        StringBuilder out = new StringBuilder(prefix.length() + 4);
        for (char c : prefix.toCharArray()) {
            if (c == '\\' || c == '%' || c == '_') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('%').toString();
    }
}
