package ru.otus.socialnet.routing;

import java.util.function.Supplier;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a read-write transaction on the primary and, when the connection it got turns out dead
 * before the commit — the pool handed out a connection the server had closed during a restart, or
 * the server went away under the statement — runs it once more on a fresh connection. A
 * transaction whose connection dies before COMMIT is rolled back by the server, so the retry
 * cannot write twice. A failure during the commit itself (a {@link TransactionException}) is never
 * retried: the commit may have happened (with synchronous replication, PostgreSQL reports a
 * commit that is done locally but was cut off waiting for a standby as a terminated connection).
 */
@Component
public class WriteTransactions {

    private final TransactionTemplate readWrite;
    private final RoutingMetrics metrics;

    WriteTransactions(PlatformTransactionManager transactions, RoutingMetrics metrics) {
        this.readWrite = new TransactionTemplate(transactions);
        this.metrics = metrics;
    }

    public <T> T run(Supplier<T> work) {
        try {
            return readWrite.execute(status -> work.get());
        } catch (RuntimeException e) {
            if (e instanceof TransactionException || !NodeFailure.isNodeFailure(e)) {
                throw e;
            }
            metrics.writeRetry();
            return readWrite.execute(status -> work.get());
        }
    }
}
