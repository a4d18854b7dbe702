package ru.otus.socialnet.routing.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.dao.DataAccessResourceFailureException;

/** What a failure says about its node: gone, hung, busy, or nothing at all. */
class NodeFailureTest {

    @Test
    void aRefusedConnectionIsRefused() {
        assertThat(NodeFailure.of(new PSQLException("Connection refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT)))
                .isEqualTo(NodeFailure.REFUSED);
    }

    @Test
    void aSilentSocketIsAHungNodeAndAClosedOneABrokenConnection() {
        assertThat(NodeFailure.of(new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE,
                new SocketTimeoutException("Read timed out")))).isEqualTo(NodeFailure.TIMED_OUT);
        assertThat(NodeFailure.of(new PSQLException("I/O error", PSQLState.CONNECTION_FAILURE, new EOFException())))
                .isEqualTo(NodeFailure.BROKEN);
        assertThat(NodeFailure.of(new SQLException("terminating connection due to administrator command", "57P01")))
                .isEqualTo(NodeFailure.BROKEN);
    }

    @Test
    void aPoolThatTimedOutWithNoFailedConnectionIsBusyNotDown() {
        NodeFailure busy = NodeFailure.of(new SQLTransientConnectionException("Connection is not available", (String) null));
        assertThat(busy).isEqualTo(NodeFailure.BUSY);
        assertThat(busy.nodeIsDown()).isFalse();
        // ...but when its last attempt to connect failed, the node is what is wrong
        assertThat(NodeFailure.of(new SQLTransientConnectionException("Connection is not available", "08001")))
                .isEqualTo(NodeFailure.REFUSED);
    }

    @Test
    void theVerdictIsFoundDeepInTheCauseChain() {
        DataAccessResourceFailureException wrapped = new DataAccessResourceFailureException("JDBC commit",
                new SQLException("outer", "XX000", new PSQLException("I/O", PSQLState.CONNECTION_FAILURE, new EOFException())));
        assertThat(NodeFailure.of(wrapped)).isEqualTo(NodeFailure.BROKEN);
    }

    @Test
    void theWorksOwnFailuresSayNothingAboutTheNode() {
        for (String state : new String[] {"23505", "42P01", "57014", "55P03", "40001", "25006"}) {
            assertThat(NodeFailure.of(new SQLException("x", state))).as(state).isEqualTo(NodeFailure.NONE);
        }
        assertThat(NodeFailure.of(new IllegalStateException("not a database failure"))).isEqualTo(NodeFailure.NONE);
        assertThat(NodeFailure.of(new NoNodeAvailableException("no primary"))).isEqualTo(NodeFailure.NONE);
    }

    @Test
    void aRecoveryConflictIsRetryableButNotTheNodesFault() {
        PSQLException fatalConflict = new PSQLException(new ServerErrorMessage(
                "SFATAL\0VFATAL\0C40001\0Mterminating connection due to conflict with recovery\0"));
        assertThat(NodeFailure.isRecoveryConflict(fatalConflict)).isTrue();
        assertThat(NodeFailure.of(fatalConflict)).isEqualTo(NodeFailure.NONE);
        assertThat(NodeFailure.isFatal(fatalConflict)).isTrue();
        assertThat(NodeFailure.isRecoveryConflict(new SQLException("x", "23505"))).isFalse();
    }

    @Test
    void anyOtherFatalErrorEndsTheSession() {
        PSQLException fatal = new PSQLException(new ServerErrorMessage("SFATAL\0VFATAL\0C53300\0Msorry, too many clients\0"));
        assertThat(NodeFailure.of(fatal)).isEqualTo(NodeFailure.BROKEN);
    }

    @Test
    void aWriteRefusedAsReadOnlyReachedAStandbyUnderThePrimarysName() {
        PSQLException readOnly = new PSQLException(new ServerErrorMessage(
                "SERROR\0VERROR\0C25006\0Mcannot execute INSERT in a read-only transaction\0"));
        assertThat(NodeFailure.isReadOnlyServer(new DataAccessResourceFailureException("wrapped", readOnly))).isTrue();
        assertThat(NodeFailure.of(readOnly)).as("the node is not down: it is another role").isEqualTo(NodeFailure.NONE);
        assertThat(NodeFailure.isReadOnlyServer(new SQLException("x", "23505"))).isFalse();
    }

    @Test
    void aNamesAddressesAreComparedInAStableOrderAndAnUnknownNameIsNotAMove() {
        assertThat(ProbeConnection.addresses("127.0.0.1")).containsExactly("127.0.0.1");
        assertThat(ProbeConnection.addresses("no-such-node.invalid")).isNull();
    }
}
