package ru.otus.socialnet.routing.nodes;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor's own connection to one node: opened straight from the driver and kept while it
 * works, reopened at once after a failure. Not a pool on purpose: a pool that failed to connect
 * waits (backs off, up to seconds) before it tries again, and a probe must see a node that is back
 * the moment it is back. Every wait is bounded by the driver: connect, login, and the socket.
 *
 * <p>A node named by a host name can move: containers restarted in another order swap their
 * addresses on the compose network. A connection kept to the old address would go on probing
 * another server under this node's name — a standby taken for the primary, while the pools' new
 * connections reach the real node — so before each probe the name is looked up again (through the
 * JVM's cache) and, when its addresses changed, the connection is reopened and {@code moved} told.
 */
final class ProbeConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProbeConnection.class);

    private final HostPort node;
    private final String url;
    private final Properties properties;
    private final Runnable moved;
    private Connection connection;
    /** What the node's name resolved to when the connection was opened; null: not known. */
    private List<String> addresses;

    /** @param moved told when the node's name resolves to other addresses than the connection's */
    ProbeConnection(HostPort node, PgProperties pg, Runnable moved) {
        this.node = node;
        this.moved = moved;
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
            if (connection != null && !connection.isClosed()) {
                List<String> now = addresses(node.host());
                if (now != null && addresses != null && !now.equals(addresses)) {
                    log.warn("{} resolves to {} now, not {}: its connections are renewed and it is probed afresh",
                            node, now, addresses);
                    close();
                    moved.run();
                }
            }
            if (connection == null || connection.isClosed()) {
                addresses = addresses(node.host());
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

    /** The addresses HOST resolves to, in a stable order; null when it does not resolve now. */
    static List<String> addresses(String host) {
        try {
            return Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress).sorted().toList();
        } catch (UnknownHostException e) {
            return null; // a stopped container's name: the connection's own failure tells the rest
        }
    }

    @FunctionalInterface
    interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }
}
