package ru.otus.socialnet.routing.transactions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;

import ru.otus.socialnet.routing.nodes.NoNodeAvailableException;

/** Which failures may run a transaction again: reads freely on a failed node, writes almost never. */
class TransactionRetryInterceptorTest {

    private static final Exception CLOSED_BEFORE_COMMIT = new DataAccessResourceFailureException("insert",
            new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE, new EOFException()));
    private static final Exception HUNG = new DataAccessResourceFailureException("insert",
            new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE, new SocketTimeoutException()));

    @Test
    void aReadRunsAgainWhenItsNodeFailedOrAStandbyCancelledItForReplay() {
        assertThat(TransactionRetryInterceptor.readMayRunAgain(CLOSED_BEFORE_COMMIT)).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(HUNG)).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new SQLException("conflict with recovery", "40001"))).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new SQLException("statement timeout", "57014"))).isTrue();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new SQLException("syntax", "42601"))).isFalse();
        assertThat(TransactionRetryInterceptor.readMayRunAgain(new NoNodeAvailableException("nobody"))).isFalse();
    }

    @Test
    void aWriteRunsAgainOnlyWhenTheServerDroppedItBeforeTheCommit() {
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(CLOSED_BEFORE_COMMIT)).isTrue();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new CommitOutcomeUnknownException("cut off",
                CLOSED_BEFORE_COMMIT))).as("the COMMIT was sent: never blindly").isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(HUNG)).as("a hung primary: waiting twice helps nobody").isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new NoNodeAvailableException("no primary"))).isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new DuplicateKeyException("dup"))).isFalse();
        assertThat(TransactionRetryInterceptor.writeMayRunAgain(new SQLException("conflict", "40001"))).isFalse();
    }
}
