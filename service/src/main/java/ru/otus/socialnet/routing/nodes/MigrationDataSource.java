package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import org.springframework.jdbc.datasource.AbstractDataSource;

/**
 * Flyway's connections: straight from the driver to the primary the {@link ClusterMonitor} chose,
 * without the request pools' socket and lock timeouts. A migration runs once, at start-up, and must
 * be allowed to finish: building an index on a million rows takes longer than any request may, and
 * a migration cut off by a socket timeout would leave the service unable to start. The connection
 * is still bounded while it is made (connect and login timeouts).
 */
public final class MigrationDataSource extends AbstractDataSource {

    private final ClusterMonitor monitor;
    private final PgProperties pg;
    private final Duration primaryWait;

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
        Properties properties = new Properties();
        properties.setProperty("user", pg.user());
        properties.setProperty("password", pg.password());
        properties.setProperty("connectTimeout", Long.toString(pg.timeouts().connect().toSeconds()));
        properties.setProperty("loginTimeout", Long.toString(2 * pg.timeouts().connect().toSeconds()));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "socialnet-migrations");
        return DriverManager.getConnection(pg.connection().jdbcUrl(primary.name()), properties);
    }

    @Override
    public Connection getConnection(String username, String password) {
        throw new UnsupportedOperationException("credentials come from the configuration");
    }
}
