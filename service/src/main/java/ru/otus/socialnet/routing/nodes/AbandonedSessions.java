package ru.otus.socialnet.routing.nodes;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends on the server the sessions the service gave up on. When a write's socket timeout fires, the
 * driver closes its end and the pool opens a replacement — but the server does not notice: a backend
 * waiting at COMMIT for a synchronous standby checks neither its client nor any timeout, and waits
 * until a standby confirms. With no standby streaming, each abandoned write left one more backend on
 * the primary, until its connection slots ran out for every application (issue 24). So a write
 * connection is watched: when it is given back dead (the driver closed it under the work), its
 * backend — whose pid the driver knows — is terminated over the node's own probe connection. Its
 * commit, if it was one, keeps the outcome the client was told: unknown.
 */
final class AbandonedSessions {

    private static final Logger log = LoggerFactory.getLogger(AbandonedSessions.class);

    /**
     * Terminates the backend {@code pid} if it is still one of the service's write sessions, busy (an
     * abandoned session is never idle: it still runs the statement or commit it was cut off in).
     */
    static final String END_SQL = """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE pid = ? AND usename = current_user AND application_name = ? AND state <> 'idle'""";

    private final Executor executor;
    private final RoutingMetrics metrics;

    /** @param executor where the backends are ended: apart from the requests, whose answer must not wait */
    AbandonedSessions(Executor executor, RoutingMetrics metrics) {
        this.executor = executor;
        this.metrics = metrics;
    }

    /**
     * A write session on {@code node} was given up on: its backend {@code pid} is ended, at once and
     * apart from the request, over the node's probe connection (bounded like a probe). Once: a node
     * that cannot be asked now is down (its sessions went with it) or hung (then the session stays
     * until a standby confirms its commit — at most the write pool's size of them).
     */
    void end(Node node, int pid) {
        executor.execute(() -> {
            String outcome;
            try {
                outcome = node.pools().probe().run(c -> end(c, pid));
            } catch (SQLException | RuntimeException e) {
                outcome = "failed";
                log.warn("could not end the abandoned session {} on {}: {}", pid, node.name(), e.getMessage());
            }
            if ("ended".equals(outcome)) {
                log.info("ended session {} on {}: the service had given up on it", pid, node.name());
            }
            metrics.abandonedSession(outcome);
        });
    }

    /**
     * {@code pooled}, which reports its backend's pid to {@code onAbandoned} when it is closed (given
     * back to the pool) after the driver had to close it.
     */
    static Connection watch(Connection pooled, IntConsumer onAbandoned) throws SQLException {
        // The driver's own connection: the pool's proxy reads "closed" only once it is given back.
        Connection physical = (Connection) pooled.unwrap(PGConnection.class);
        int pid = ((PGConnection) physical).getBackendPID();
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "close":
                    boolean dropped = physical.isClosed();
                    pooled.close();
                    if (dropped) {
                        onAbandoned.accept(pid);
                    }
                    return null;
                default:
                    try {
                        return method.invoke(pooled, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        };
        return (Connection) Proxy.newProxyInstance(AbandonedSessions.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }

    /**
     * Ends backend {@code pid} over {@code c} (a connection of the same role, apart from the pools).
     *
     * @return "ended", or "gone" when it no longer runs as one of the service's write sessions
     */
    static String end(Connection c, int pid) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(END_SQL)) {
            st.setInt(1, pid);
            st.setString(2, NodePools.WRITE_APPLICATION); // only write sessions of the same role
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getBoolean(1) ? "ended" : "gone";
            }
        }
    }
}
