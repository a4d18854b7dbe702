package ru.otus.socialnet.user;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.UTF8JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * Text as the database sent it: UTF-8 (pgjdbc always asks the server for UTF-8), written into a JSON
 * answer as those bytes, escaped where JSON needs it. A page of profiles is text from one end to the
 * other; decoding every name into a {@link String} and encoding it back into the same bytes was the
 * largest part of a search's own CPU in the profile (docs/search-index.md). The answer's bytes are
 * the same either way: Jackson escapes both forms alike and writes other characters as UTF-8.
 */
@JsonSerialize(using = Utf8Text.AsJsonString.class)
public final class Utf8Text {

    private final byte[] utf8;

    private Utf8Text(byte[] utf8) {
        this.utf8 = utf8;
    }

    /** The text of these bytes, kept as they are (null stays null: a column may be NULL). */
    static Utf8Text of(byte[] utf8) {
        return utf8 == null ? null : new Utf8Text(utf8);
    }

    @Override
    public String toString() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Utf8Text text && Arrays.equals(utf8, text.utf8);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(utf8);
    }

    /**
     * A JSON string of the bytes as they are, where the answer is UTF-8 (Spring's converter writes
     * UTF-8 answers straight to the response's bytes); as a String into any other generator (an
     * answer in another charset goes through a Writer, which takes no bytes).
     */
    static final class AsJsonString extends ValueSerializer<Utf8Text> {
        @Override
        public void serialize(Utf8Text value, JsonGenerator gen, SerializationContext context) {
            if (gen instanceof UTF8JsonGenerator) {
                gen.writeUTF8String(value.utf8, 0, value.utf8.length);
            } else {
                gen.writeString(value.toString());
            }
        }
    }
}
