package ru.otus.socialnet.system;

import java.beans.PropertyEditorSupport;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * Whole-number request parameters ({@code limit}) in the API's one form ({@link AsciiNumbers}).
 * Spring's default binding of an {@code Integer} ({@code NumberUtils.parseNumber}, i.e.
 * {@code Integer.decode} after trimming) takes {@code 0x10}, {@code #10}, octal {@code 010},
 * {@code " 10"} and Unicode digits. A registered editor is what binding consults first (a
 * ConversionService converter that refuses is silently overridden by the default editor), and a
 * value it refuses becomes a 400 ({@code MethodArgumentTypeMismatchException}). An empty value
 * ({@code limit=}) still means "not given".
 */
@ControllerAdvice
class StrictParameters {

    @InitBinder
    void strictIntegers(WebDataBinder binder) {
        binder.registerCustomEditor(Integer.class, new AsciiInteger());
    }

    private static final class AsciiInteger extends PropertyEditorSupport {
        @Override
        public void setAsText(String text) {
            if (text == null || text.isEmpty()) {
                setValue(null);
                return;
            }
            setValue((int) AsciiNumbers.parse(text, Integer.MAX_VALUE)
                    .orElseThrow(() -> new IllegalArgumentException("not a whole number in ASCII digits")));
        }
    }
}
