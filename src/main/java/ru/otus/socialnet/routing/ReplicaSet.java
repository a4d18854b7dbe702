package ru.otus.socialnet.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * The read side: one read-only pool per replica, taken in round-robin order so that every replica
 * gets its share of the reads. A replica that cannot hand out a connection is skipped for this
 * request and the next one is tried; when none can, the primary serves the read, because a replica
 * problem must not become a user-visible error while the primary is up.
 */
public class ReplicaSet extends AbstractDataSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaSet.class);

    /** A replica's pool, named by its {@code host:port}. */
    public record Replica(String name, DataSource pool) {
    }

    private final List<Replica> replicas;
    private final DataSource primary;
    private final AtomicInteger next = new AtomicInteger();

    public ReplicaSet(List<Replica> replicas, DataSource primary) {
        this.replicas = List.copyOf(replicas);
        this.primary = primary;
    }

    public List<Replica> replicas() {
        return replicas;
    }

    @Override
    public Connection getConnection() throws SQLException {
        int n = replicas.size();
        int start = Math.floorMod(next.getAndIncrement(), Math.max(n, 1));
        for (int i = 0; i < n; i++) {
            Replica replica = replicas.get((start + i) % n);
            try {
                return replica.pool().getConnection();
            } catch (SQLException e) {
                log.warn("replica {} gave no connection ({}); trying the next node", replica.name(), e.getMessage());
            }
        }
        return primary.getConnection();
    }

    /** Closes the replica pools this set owns (not the primary's). */
    @Override
    public void close() throws Exception {
        for (Replica replica : replicas) {
            if (replica.pool() instanceof AutoCloseable pool) {
                pool.close();
            }
        }
    }

    @Override
    public Connection getConnection(String username, String password) {
        throw new UnsupportedOperationException("credentials come from the pool configuration");
    }
}
