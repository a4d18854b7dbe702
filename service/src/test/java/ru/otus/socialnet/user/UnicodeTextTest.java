package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;
import static ru.otus.socialnet.user.UnicodeText.Kind.LINE;
import static ru.otus.socialnet.user.UnicodeText.Kind.PROSE;
import static ru.otus.socialnet.user.UnicodeText.Kind.SECRET;

import java.text.Normalizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnicodeTextTest {

    @Test
    void namesTypedInEitherFormBecomeOne() {
        String composed = "Йожеф Ёлкин";
        String decomposed = Normalizer.normalize(composed, Normalizer.Form.NFD);
        assertThat(decomposed).isNotEqualTo(composed);
        assertThat(UnicodeText.normalizeLine(decomposed)).isEqualTo(composed);
        assertThat(UnicodeText.normalize(decomposed)).isEqualTo(composed);
    }

    @Test
    void compatibilityVariantsStayAsTyped() {
        assertThat(UnicodeText.normalizeLine("Ｉｖａｎ")).isEqualTo("Ｉｖａｎ");
        assertThat(UnicodeText.normalizeLine("ﬁlip")).isEqualTo("ﬁlip");
    }

    @Test
    void aLineLosesSpacesAndInvisiblesAtItsEndsOnly() {
        assertThat(UnicodeText.normalizeLine(" \u00a0\u200bАнна Мария\u3000\ufeff\u3164")).isEqualTo("Анна Мария");
        assertThat(UnicodeText.normalizeLine("\u200b")).isEmpty();
        assertThat(UnicodeText.normalizeLine(null)).isNull();
        assertThat(UnicodeText.normalize(" биография \n")).isEqualTo(" биография \n");
    }

    @Test
    void controlCharactersAreNotTrimmedAwayButRefused() {
        assertThat(UnicodeText.normalizeLine("Иван\u0000")).isEqualTo("Иван\u0000");
        assertThat(UnicodeText.problem("Иван\u0000", LINE)).contains("control");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Иван", "Jean-Luc", "O'Brien", "李小龙", "محمد", "Zoë", "Ёлкин-Палкин", "X Æ A-12", "😀",
            "Ǆemal", "Иван\u200dович"})
    void ordinaryNamesPass(String name) {
        assertThat(UnicodeText.problem(name, LINE)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "a\u0007", "\u001b[31mRed", "a\u007f", "a\u0085", "a\u009b", "a\nb", "a\tb", "a\rb"})
    void controlCharactersAreRefusedInLines(String text) {
        assertThat(UnicodeText.problem(text, LINE)).contains("control");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u200b", "\u00a0\u00a0", "\u3000", "\u2060", "\ufeff", "\u3164", "\u115f\u1160", "\u2800",
            "\u0301", "\u180e", "\u200d", "\ue000"})
    void aLineNeedsSomethingVisible(String text) {
        assertThat(UnicodeText.problem(text, LINE)).contains("visible");
    }

    @Test
    void unpairedSurrogatesAreRefusedEverywhere() {
        for (UnicodeText.Kind kind : UnicodeText.Kind.values()) {
            assertThat(UnicodeText.problem("a\ud800b", kind)).as("%s", kind).contains("surrogate");
            assertThat(UnicodeText.problem("a\udc00", kind)).as("%s", kind).contains("surrogate");
            assertThat(UnicodeText.problem("\ude00\ud83d", kind)).as("%s", kind).contains("surrogate");
            assertThat(UnicodeText.problem("a\ud800", kind)).as("%s", kind).contains("surrogate");
            assertThat(UnicodeText.problem("a😀", kind)).as("%s", kind).isNull();
        }
    }

    @Test
    void proseKeepsLineBreaksButNotOtherControls() {
        assertThat(UnicodeText.problem("строка 1\r\nстрока 2\tтаб", PROSE)).isNull();
        assertThat(UnicodeText.problem("text \u001b[2J", PROSE)).contains("control");
        assertThat(UnicodeText.problem("a\u0000", PROSE)).contains("control");
        assertThat(UnicodeText.problem("   ", PROSE)).isNull();
        assertThat(UnicodeText.problem("a\u2028b", PROSE)).isNull();
    }

    @Test
    void directionalOverridesAreRefusedButMarksAllowed() {
        assertThat(UnicodeText.problem("abc\u202edef", LINE)).contains("bidirectional");
        assertThat(UnicodeText.problem("a\u2066b\u2069", PROSE)).contains("bidirectional");
        assertThat(UnicodeText.problem("שלום\u200fabc", LINE)).isNull();
        assertThat(UnicodeText.problem("a\u2028b", LINE)).contains("single line");
    }

    @Test
    void passwordsOnlyNeedToBeWellFormedTextWithoutControls() {
        assertThat(UnicodeText.problem("  пароль \u202e с пробелами  ", SECRET)).isNull();
        assertThat(UnicodeText.problem("pass\u0000word", SECRET)).contains("control");
        assertThat(UnicodeText.problem("\u200b\u200b\u200b\u200b\u200b\u200b\u200b\u200b", SECRET)).isNull();
    }
}
