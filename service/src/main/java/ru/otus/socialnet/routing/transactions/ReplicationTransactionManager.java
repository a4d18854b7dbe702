package ru.otus.socialnet.routing.transactions;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.JdbcTransactionObjectSupport;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.DefaultTransactionStatus;

import ru.otus.socialnet.routing.nodes.NodeFailure;

/**
 * Spring's {@link JdbcTransactionManager}, with two changes for a primary with streaming standbys.
 *
 * <p><b>A read is its statements, each in autocommit.</b> A read-only unit of work of the default
 * isolation ({@code @Transactional(readOnly = true)}) keeps its one connection — one node — for all
 * its statements, but sends them without {@code BEGIN} and {@code COMMIT}: a one-statement read is
 * one round trip instead of two. Nothing it can see changes: under READ COMMITTED every statement
 * takes a snapshot of its own inside a transaction block too, and the statements still run one after
 * the other on one node, whose replay only moves forward. Each is read-only as before (the read pools
 * set {@code default_transaction_read_only}; a standby is read-only anyway), and no lock outlives
 * its statement. A read that must see one snapshot across several statements declares
 * {@code isolation = Isolation.REPEATABLE_READ}: it runs as a transaction block.
 *
 * <p><b>A COMMIT cut off is an unknown outcome.</b> When the connection broke (or went silent)
 * while a read-write transaction was committing, the outcome is unknown and the failure becomes a
 * {@link CommitOutcomeUnknownException} — which no retry ever re-runs blindly — instead of an
 * ordinary data-access exception that looks like "nothing happened".
 */
public class ReplicationTransactionManager extends JdbcTransactionManager {

    public ReplicationTransactionManager(DataSource dataSource) {
        super(dataSource);
    }

    @Override
    protected void doBegin(Object transaction, TransactionDefinition definition) {
        super.doBegin(transaction, definition);
        if (definition.isReadOnly() && atMostReadCommitted(definition.getIsolationLevel())) {
            try {
                // Spring switched the handle to manual commit; switch it back before any statement.
                // The handle is lazy (LazyConnectionDataSourceProxy): no node has been asked for a
                // connection yet, so this only changes what the connection will be given.
                connectionOf(transaction).setAutoCommit(true);
            } catch (SQLException e) {
                throw new CannotCreateTransactionException("could not keep the read in autocommit", e);
            }
        }
    }

    private static boolean atMostReadCommitted(int isolation) {
        return isolation == TransactionDefinition.ISOLATION_DEFAULT
                || isolation == TransactionDefinition.ISOLATION_READ_COMMITTED
                || isolation == TransactionDefinition.ISOLATION_READ_UNCOMMITTED;
    }

    @Override
    protected void doCommit(DefaultTransactionStatus status) {
        if (ranInAutocommit(status)) {
            return; // every statement committed itself
        }
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

    @Override
    protected void doRollback(DefaultTransactionStatus status) {
        if (ranInAutocommit(status)) {
            return; // a failed statement ended its own transaction; the others are committed reads
        }
        super.doRollback(status);
    }

    /** A read kept in autocommit by {@link #doBegin}: nothing to commit or roll back. */
    private static boolean ranInAutocommit(DefaultTransactionStatus status) {
        if (!status.isReadOnly()) {
            return false;
        }
        try {
            return connectionOf(status.getTransaction()).getAutoCommit();
        } catch (SQLException e) {
            return false; // a closed connection: Spring's own commit or rollback reports it
        }
    }

    private static Connection connectionOf(Object transaction) {
        return ((JdbcTransactionObjectSupport) transaction).getConnectionHolder().getConnection();
    }
}
