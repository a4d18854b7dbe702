package ru.otus.socialnet.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.schema.SchemaKeeper.Step;

/** What the keeper does about the schema, from what it knows and who answers. */
class SchemaKeeperTest {

    @Test
    void aVerifiedSchemaWithNothingOwedNeedsNothingWhoeverAnswers() {
        assertThat(SchemaKeeper.next(false, false, false, true, true)).isEqualTo(Step.NOTHING);
        assertThat(SchemaKeeper.next(false, false, false, false, false)).isEqualTo(Step.NOTHING);
    }

    @Test
    void anUnverifiedSchemaIsMigratedOnThePrimary() {
        assertThat(SchemaKeeper.next(true, false, false, true, true)).isEqualTo(Step.MIGRATE);
        assertThat(SchemaKeeper.next(true, false, true, true, false)).as("even one a standby said needs it")
                .isEqualTo(Step.MIGRATE);
    }

    @Test
    void withoutAPrimaryAStandbyIsAskedOnceWhetherTheSchemaIsCurrent() {
        assertThat(SchemaKeeper.next(true, false, false, false, true)).isEqualTo(Step.CHECK_ON_STANDBY);
        assertThat(SchemaKeeper.next(true, false, true, false, true)).as("it said: needs a migration")
                .isEqualTo(Step.WAIT);
        assertThat(SchemaKeeper.next(true, false, false, false, false)).as("nobody answers").isEqualTo(Step.WAIT);
    }

    @Test
    void aSchemaVerifiedOnAStandbyIsMigratedOnceAPrimaryAnswers() {
        assertThat(SchemaKeeper.next(false, true, false, false, true)).isEqualTo(Step.WAIT);
        assertThat(SchemaKeeper.next(false, true, false, true, true)).isEqualTo(Step.MIGRATE);
    }
}
