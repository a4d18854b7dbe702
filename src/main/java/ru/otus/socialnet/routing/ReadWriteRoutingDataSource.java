package ru.otus.socialnet.routing;

import java.sql.Connection;
import java.sql.SQLException;

import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Sends {@code @Transactional(readOnly = true)} work to the replicas and everything else to the
 * primary. It must sit behind a {@link org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy}:
 * the transaction manager asks for a connection before it publishes the read-only flag, so without
 * the lazy proxy every transaction would be routed as read-write. Primary connections report where
 * each commit landed ({@link CommitPosition}), which becomes the client's consistency token.
 */
public class ReadWriteRoutingDataSource extends AbstractRoutingDataSource {

    public enum Route { PRIMARY, REPLICAS }

    @Override
    protected Object determineCurrentLookupKey() {
        return TransactionSynchronizationManager.isCurrentTransactionReadOnly() ? Route.REPLICAS : Route.PRIMARY;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = super.getConnection();
        return determineCurrentLookupKey() == Route.PRIMARY ? CommitPosition.reporting(connection) : connection;
    }
}
