package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The search statement as the repository loads it from its file (SearchIT covers what it finds). */
class SearchStatementTest {

    @Test
    void isTheFileWithoutItsCommentLines() {
        assertThat(UserRepository.SEARCH_SQL).doesNotContain("--").startsWith("SELECT ");
        assertThat(UserRepository.SEARCH_SQL).contains(":first", ":last", ":limit");
    }

    @Test
    void namedParametersBecomePositionalInTheirOrder() {
        UserRepository.Positional search = UserRepository.Positional.of(UserRepository.SEARCH_SQL);
        assertThat(search.sql()).doesNotContain(":first", ":last", ":limit");
        assertThat(search.sql().chars().filter(c -> c == '?')).hasSize(5);
        assertThat(search.names()).containsExactly("first", "first", "last", "last", "limit");
        assertThat(search.values(Map.of("first", "Ан", "last", "Ко", "limit", 7)))
                .containsExactly("Ан", "Ан", "Ко", "Ко", 7);
        assertThatThrownBy(() -> search.values(Map.of("first", "Ан"))).hasMessageContaining(":last");
    }

    @Test
    void selectsTheProfileColumnsInTheOrderTheRowMapperReadsThem() {
        assertThat(UserRepository.SEARCH_SQL).startsWith("SELECT " + UserRepository.PROFILE_COLUMNS + "\n");
    }
}
