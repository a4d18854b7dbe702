package ru.otus.socialnet.routing.transactions;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

import ru.otus.socialnet.routing.nodes.NodeFailure;

/**
 * Spring's {@link JdbcTransactionManager}, telling a failed COMMIT apart: when the connection broke
 * (or went silent) while a read-write transaction was committing, the outcome is unknown and the
 * failure becomes a {@link CommitOutcomeUnknownException} — which no retry ever re-runs blindly —
 * instead of an ordinary data-access exception that looks like "nothing happened".
 */
public class RoutingTransactionManager extends JdbcTransactionManager {

    public RoutingTransactionManager(DataSource dataSource) {
        super(dataSource);
    }

    @Override
    protected void doCommit(DefaultTransactionStatus status) {
        try {
            super.doCommit(status);
        } catch (RuntimeException e) {
            if (!status.isReadOnly() && NodeFailure.of(e).nodeIsDown()) {
                throw new CommitOutcomeUnknownException(
                        "the connection failed while the transaction was committing: it may or may not be stored", e);
            }
            throw e;
        }
    }
}
