package ru.otus.socialnet.user;

import java.text.Normalizer;

/**
 * The rules for text a user types (names, city, biography, password, search prefixes), in one
 * place: what is refused ({@link #problem}) and the one normal form the service stores and
 * searches in ({@link #normalizeLine}, {@link #normalize}).
 *
 * <p><b>Normal form: NFC.</b> The same name can arrive as different code points: "й" precomposed
 * (U+0439) from one keyboard, "и" + combining breve (U+0438 U+0306) from another (macOS file
 * names, some mobile keyboards). Both are canonically equivalent, and NFC turns both into the
 * precomposed form, so a name is stored once one way and a search typed either way finds it.
 * NFC only merges <i>canonical</i> equivalents and loses nothing a user can see; NFKC would also
 * fold compatibility variants (fullwidth "Ｉｖａｎ" to "Ivan", "ﬁ" to "fi"), which changes what
 * was typed, so it is not used: those stay different names.
 */
public final class UnicodeText {

    /** The normal form of everything stored and of every search prefix. */
    public static final Normalizer.Form FORM = Normalizer.Form.NFC;

    /** What a field may hold. */
    public enum Kind {
        /** One line shown to others: names, city, search prefixes. */
        LINE,
        /** Free text over several lines: the biography (tab, line feed and carriage return allowed). */
        PROSE,
        /** A password: any well-formed text without control characters; never normalised (see below). */
        SECRET
    }

    private UnicodeText() {
    }

    /**
     * A name or city as stored: NFC, without leading or trailing white space or invisible
     * formatting characters (a zero-width space pasted at the end would otherwise make the same
     * name a different one). {@code null} stays {@code null}.
     */
    public static String normalizeLine(String text) {
        if (text == null) {
            return null;
        }
        String nfc = Normalizer.normalize(text, FORM);
        int start = 0;
        int end = nfc.length();
        while (start < end && isBlankOrInvisible(nfc.codePointAt(start))) {
            start += Character.charCount(nfc.codePointAt(start));
        }
        while (end > start && isBlankOrInvisible(nfc.codePointBefore(end))) {
            end -= Character.charCount(nfc.codePointBefore(end));
        }
        return nfc.substring(start, end);
    }

    /** Text in the normal form, otherwise as typed: the biography, and search prefixes (in which
     *  spaces matter). {@code null} stays {@code null}. */
    public static String normalize(String text) {
        return text == null ? null : Normalizer.normalize(text, FORM);
    }

    /**
     * What is wrong with {@code text} as a value of this kind, in words for the client, or
     * {@code null} when nothing is. {@code null} text is not this method's business (required
     * fields are checked by {@code @NotNull}/{@code @NotBlank}).
     *
     * <p>Passwords are checked but never normalised: bcrypt hashes the bytes, and hashes stored
     * before this rule must keep matching what their owners type.
     */
    public static String problem(String text, Kind kind) {
        if (text == null) {
            return null;
        }
        boolean visible = false;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= text.length()
                        || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return "is not valid Unicode (an unpaired surrogate)";
                }
            }
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.getType(cp) == Character.CONTROL && !(kind == Kind.PROSE && isLineControl(cp))) {
                return "must not contain control characters (such as NUL or ESC)";
            }
            if (kind != Kind.SECRET && isDirectionalFormatting(cp)) {
                return "must not contain bidirectional override or isolate characters";
            }
            if (kind == Kind.LINE && (cp == '\u2028' || cp == '\u2029')) {
                return "must be a single line";
            }
            visible |= isVisible(cp);
        }
        if (kind == Kind.LINE && !visible) {
            return "must contain a visible character";
        }
        return null;
    }

    /** Tab, line feed, carriage return: the control characters ordinary multi-line text has. */
    private static boolean isLineControl(int cp) {
        return cp == '\t' || cp == '\n' || cp == '\r';
    }

    /**
     * Explicit embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069): they reorder
     * how the text around them is displayed, so a name could show others something it is not
     * ("Trojan Source"). The implicit marks LRM/RLM/ALM stay allowed.
     */
    private static boolean isDirectionalFormatting(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    /**
     * A letter, digit, punctuation mark or symbol: something that shows on its own. The Hangul
     * fillers and the blank Braille pattern are letters and symbols by category but render as
     * nothing (a known way to make an "empty" name), so they do not count.
     */
    private static boolean isVisible(int cp) {
        if (isBlankLookingLetter(cp)) {
            return false;
        }
        switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                 Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                 Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
                 Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL:
                return true;
            default:
                return false;
        }
    }

    private static boolean isBlankLookingLetter(int cp) {
        return cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800;
    }

    /**
     * Spaces of every kind (also no-break and ideographic), invisible formatting characters
     * (zero-width space, BOM...) and the blank-looking letters. Control characters are not
     * trimmed: they are refused wherever they are.
     */
    private static boolean isBlankOrInvisible(int cp) {
        return Character.isSpaceChar(cp) || Character.getType(cp) == Character.FORMAT || isBlankLookingLetter(cp);
    }
}
