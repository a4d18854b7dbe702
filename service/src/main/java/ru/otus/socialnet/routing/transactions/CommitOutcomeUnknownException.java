package ru.otus.socialnet.routing.transactions;

import org.springframework.transaction.TransactionSystemException;

/**
 * The COMMIT was sent, and the connection failed before its answer came: the transaction may be
 * committed or not. (With synchronous replication, PostgreSQL commits locally first and then waits
 * for a standby; a session cut off in that wait is committed on the primary.) Such a write is never
 * run again blindly: only work that can find out what happened — by a unique key stored with it —
 * may resolve it; otherwise the client is told the outcome is unknown.
 */
public class CommitOutcomeUnknownException extends TransactionSystemException {

    public CommitOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
