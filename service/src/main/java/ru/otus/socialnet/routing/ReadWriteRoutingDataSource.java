package ru.otus.socialnet.routing;

import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Sends {@code @Transactional(readOnly = true)} work to the read side and everything else to the
 * write side. It must sit behind a {@link org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy}:
 * the transaction manager asks for a connection before it publishes the read-only flag, so without
 * the lazy proxy every transaction would be routed as read-write.
 */
public class ReadWriteRoutingDataSource extends AbstractRoutingDataSource {

    public enum Route { WRITES, READS }

    @Override
    protected Object determineCurrentLookupKey() {
        return TransactionSynchronizationManager.isCurrentTransactionReadOnly() ? Route.READS : Route.WRITES;
    }
}
