package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The monitor's own connection to one node: opened straight from the driver and kept while it
 * works, reopened at once after a failure. Not a pool on purpose: a pool that failed to connect
 * waits (backs off, up to seconds) before it tries again, and a probe must see a node that is back
 * the moment it is back. Every wait is bounded by the driver: connect, login, and the socket.
 */
final class ProbeConnection implements AutoCloseable {

    private final String url;
    private final Properties properties;
    private Connection connection;

    ProbeConnection(HostPort node, PgProperties pg) {
        this.url = pg.connection().jdbcUrl(node.toString());
        PgProperties.Timeouts t = pg.timeouts();
        properties = new Properties();
        properties.setProperty("user", pg.user());
        properties.setProperty("password", pg.password());
        properties.setProperty("connectTimeout", Long.toString(t.connect().toSeconds()));
        properties.setProperty("loginTimeout", Long.toString(t.probe().toSeconds()));
        properties.setProperty("socketTimeout", Long.toString(t.probe().toSeconds()));
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "socialnet-probe");
        properties.setProperty("readOnly", "true");
        properties.setProperty("options", "-c statement_timeout=" + t.probe().toMillis());
    }

    /** Runs {@code probe} on the connection, opening one if needed; a failure drops the connection. */
    synchronized <T> T run(SqlFunction<T> probe) throws SQLException {
        try {
            if (connection == null || connection.isClosed()) {
                connection = DriverManager.getConnection(url, properties);
            }
            return probe.apply(connection);
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // it is being dropped either way
            }
            connection = null;
        }
    }

    @FunctionalInterface
    interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }
}
