package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * Flyway's connections: straight from the driver to the primary the {@link ClusterMonitor} chose,
 * without the request pools' socket and lock timeouts. A migration must be allowed to finish:
 * building an index on a million rows takes longer than any request may, and a migration cut off by
 * a socket timeout would leave the service unable to start. The connection is still bounded while
 * it is made (connect and login timeouts), and one whose node stops being the primary under it
 * (hung, failed over) can be abandoned ({@link #abandonAllBut}). Also read-only connections to any
 * node ({@link #readOnlyOn}), bounded like a probe: to check a schema while no primary answers.
 */
public final class MigrationDataSource extends AbstractDataSource {

    private static final Logger log = LoggerFactory.getLogger(MigrationDataSource.class);

    /** pgjdbc's abort closes the socket on the calling thread. */
    private static final Executor DIRECT = Runnable::run;

    private record Opened(Node node, Connection connection) {
    }

    private final ClusterMonitor monitor;
    private final PgProperties pg;
    private final Duration primaryWait;
    private final Set<Opened> open = ConcurrentHashMap.newKeySet();

    public MigrationDataSource(ClusterMonitor monitor, PgProperties pg, Duration primaryWait) {
        this.monitor = monitor;
        this.pg = pg;
        this.primaryWait = primaryWait;
    }

    /** The primary's connection; waits for a primary first, bounded (pg.routing.migration-primary-wait). */
    @Override
    public Connection getConnection() throws SQLException {
        Node primary = monitor.awaitPrimary(primaryWait);
        if (primary == null) {
            throw new NoNodeAvailableException("no primary to migrate: " + monitor.topology().whyNoPrimary());
        }
        Connection c = connect(primary, false);
        open.add(new Opened(primary, c));
        return c;
    }

    /** Read-only connections to {@code node}, every round trip bounded by pg.timeouts.probe. */
    public DataSource readOnlyOn(Node node) {
        return new AbstractDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return connect(node, true);
            }

            @Override
            public Connection getConnection(String username, String password) {
                throw new UnsupportedOperationException("credentials come from the configuration");
            }
        };
    }

    /**
     * Aborts every migration connection to a node other than {@code primary} (null: to any node): the
     * migration on it fails at once instead of waiting on a node that no longer takes writes.
     */
    public void abandonAllBut(Node primary) {
        for (Opened o : open) {
            try {
                if (o.connection().isClosed()) {
                    open.remove(o);
                } else if (o.node() != primary) {
                    log.warn("abandoning the migration on {}: it is no longer the primary", o.node().name());
                    o.connection().abort(DIRECT);
                    open.remove(o);
                }
            } catch (SQLException e) {
                open.remove(o);
            }
        }
    }

    private Connection connect(Node node, boolean readOnly) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", pg.user());
        properties.setProperty("password", pg.password());
        properties.setProperty("connectTimeout", Long.toString(pg.timeouts().connect().toSeconds()));
        properties.setProperty("loginTimeout", Long.toString(2 * pg.timeouts().connect().toSeconds()));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "socialnet-migrations");
        if (readOnly) {
            properties.setProperty("readOnly", "true");
            properties.setProperty("socketTimeout", Long.toString(pg.timeouts().probe().toSeconds()));
        }
        return DriverManager.getConnection(pg.connection().jdbcUrl(node.name()), properties);
    }

    @Override
    public Connection getConnection(String username, String password) {
        throw new UnsupportedOperationException("credentials come from the configuration");
    }
}
