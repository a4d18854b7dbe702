package ru.otus.socialnet.routing;

import java.util.function.Supplier;

import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a read-only transaction (so the router sends it to a replica) and, when the replica it
 * landed on fails under it — killed, restarted, connection reset — bans that replica and runs the
 * whole transaction again, which the router then gives to another node. Re-running is safe: the
 * work only reads, and nothing has been sent to the client yet. Each attempt is a fresh transaction
 * on a fresh connection; a failure of the read itself (a bad query, a 404) is not retried.
 */
@Component
public class ReadTransactions {

    private final TransactionTemplate readOnly;
    private final RoutingMetrics metrics;
    private final ReplicationMonitor monitor;
    private final int attempts;

    ReadTransactions(PlatformTransactionManager transactions, RoutingMetrics metrics, PgProperties pg,
                     ReplicationMonitor monitor) {
        this.monitor = monitor;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.readOnly.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        this.metrics = metrics;
        // every replica once, the primary, and a standby again when the primary died under the read
        this.attempts = pg.authority().replicas().size() + 2;
    }

    public <T> T run(Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            ReplicaRouter.forgetLastServed();
            try {
                return readOnly.execute(status -> work.get());
            } catch (RuntimeException e) {
                ReplicaNode failed = ReplicaRouter.lastServed();
                if (attempt >= attempts || !NodeFailure.isNodeFailure(e)) {
                    throw e;
                }
                if (failed != null) {
                    failed.ban("a read failed on it: " + e.getMessage());
                } else {
                    // It ran on the primary, which just went away: the retry may find a standby
                    // that still holds everything (see ReplicaRouter), rather than a 503.
                    monitor.primaryFailed(e.getMessage());
                }
                metrics.retry();
            }
        }
    }
}
