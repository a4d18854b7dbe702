package ru.otus.socialnet.user;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The search statement as the repository loads it from its file (SearchIT covers what it finds). */
class SearchStatementTest {

    @Test
    void isTheFileWithoutItsCommentLines() {
        assertThat(UserRepository.SEARCH_SQL).doesNotContain("--").startsWith("SELECT ");
        assertThat(UserRepository.SEARCH_SQL).contains(":first", ":last", ":limit");
    }

    @Test
    void selectsTheProfileColumnsInTheOrderTheRowMapperReadsThem() {
        assertThat(UserRepository.SEARCH_SQL).startsWith("SELECT " + UserRepository.PROFILE_COLUMNS + "\n");
    }
}
