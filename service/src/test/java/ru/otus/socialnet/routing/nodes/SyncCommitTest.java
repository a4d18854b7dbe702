package ru.otus.socialnet.routing.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a primary's commits wait for standbys, and when none can be acknowledged now. */
class SyncCommitTest {

    @Test
    void howManyStandbysMustConfirmACommitFollowsSynchronousStandbyNames() {
        assertThat(new SyncCommit("", "on", 0).required()).as("async").isZero();
        assertThat(new SyncCommit("ANY 1 (replica1, replica2)", "on", 0).required()).isEqualTo(1);
        assertThat(new SyncCommit("any 2 (\"a\", b, c)", "remote_apply", 0).required()).isEqualTo(2);
        assertThat(new SyncCommit("FIRST 2 (a, b, c)", "on", 0).required()).isEqualTo(2);
        assertThat(new SyncCommit("3 (a, b, c)", "on", 0).required()).as("FIRST is the default").isEqualTo(3);
        assertThat(new SyncCommit("a, b", "remote_write", 0).required()).as("a plain list: FIRST 1").isEqualTo(1);
        assertThat(new SyncCommit("*", "on", 0).required()).isEqualTo(1);
    }

    @Test
    void commitsThatDoNotWaitForAStandbyAreNeverRefused() {
        assertThat(new SyncCommit("ANY 1 (replica1, replica2)", "local", 0).required()).isZero();
        assertThat(new SyncCommit("ANY 1 (replica1, replica2)", "off", 0).refusal()).isNull();
        assertThat(new SyncCommit("", "on", 0).refusal()).isNull();
    }

    @Test
    void writesAreRefusedWhileFewerStandbysCanConfirmThanACommitNeeds() {
        assertThat(new SyncCommit("ANY 1 (replica1, replica2)", "on", 0).refusal())
                .contains("ANY 1 (replica1, replica2)", "needs 1 standby(s)", "0 can now");
        assertThat(new SyncCommit("ANY 2 (a, b, c)", "on", 1).refusal()).contains("needs 2");
        assertThat(new SyncCommit("ANY 1 (replica1, replica2)", "on", 1).refusal()).isNull();
        assertThat(new SyncCommit("FIRST 1 (a, b)", "on", 1).refusal()).isNull();
    }

    @Test
    void whatTheRoleCannotSeeIsNeverAReasonToRefuse() {
        SyncCommit hidden = new SyncCommit("ANY 1 (replica1, replica2)", "on", -1);
        assertThat(hidden.visible()).isFalse();
        assertThat(hidden.refusal()).isNull();
    }
}
