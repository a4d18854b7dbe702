package ru.otus.socialnet.system;

import java.util.OptionalLong;

/**
 * Whole numbers in the API are written one way: ASCII digits, no sign, no leading zeros. Java's
 * own parsers are more generous than the API should be: {@code Long.parseLong} takes any Unicode
 * digit ({@code "١"}, {@code "１"}), and Spring's default String-to-Integer conversion
 * ({@code Integer.decode}) takes {@code "0x10"}, {@code "#10"}, octal {@code "010"} and surrounding
 * white space.
 */
public final class AsciiNumbers {

    private AsciiNumbers() {
    }

    /** The value of {@code text} if it is a number in the API's form no larger than {@code max}. */
    public static OptionalLong parse(String text, long max) {
        if (text == null || text.isEmpty() || text.length() > 19 || (text.charAt(0) == '0' && text.length() > 1)) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
        }
        try {
            long value = Long.parseLong(text);
            return value <= max ? OptionalLong.of(value) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // 19 digits above Long.MAX_VALUE
        }
    }
}
