package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.system.ApiException;

/** The Idempotency-Key header as the draft writes it, and what is refused. */
class RegistrationKeyTest {

    @Test
    void withoutAHeaderTheServiceMakesAKeyOfItsOwn() {
        RegistrationKey a = RegistrationKey.fromHeader(null);
        RegistrationKey b = RegistrationKey.fromHeader(null);
        assertThat(a.fromClient()).isFalse();
        assertThat(a.value()).startsWith("srv:").isNotEqualTo(b.value());
    }

    @Test
    void takesABareTokenAndTheStructuredFieldString() {
        assertThat(RegistrationKey.fromHeader("8e03978e-40d5-43e8-bc93-6894a57f9324").value())
                .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
        assertThat(RegistrationKey.fromHeader("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"").value())
                .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
        assertThat(RegistrationKey.fromHeader("\"a \\\"quoted\\\" \\\\ key\"").value()).isEqualTo("a \"quoted\" \\ key");
        assertThat(RegistrationKey.fromHeader("x").fromClient()).isTrue();
        assertThat(RegistrationKey.fromHeader("k".repeat(255)).value()).hasSize(255);
    }

    @Test
    void refusesWhatCannotBeAKey() {
        for (String bad : new String[] {"", "  ", "\"\"", "ключ", "tab\tkey", "k".repeat(256), "\"open", "a\"b",
                "\"bad \\n escape\"", "\"inner \" quote\"", "nul\0"}) {
            assertThatThrownBy(() -> RegistrationKey.fromHeader(bad)).as("[%s]", bad)
                    .isInstanceOf(ApiException.class).hasMessageContaining(RegistrationKey.HEADER);
        }
    }
}
