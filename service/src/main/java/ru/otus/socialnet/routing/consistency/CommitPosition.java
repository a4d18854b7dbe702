package ru.otus.socialnet.routing.consistency;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ru.otus.socialnet.consistency.ConsistencyToken;

/**
 * Learns where a commit on the primary landed in the WAL. Right after {@code commit()} returns,
 * {@code pg_current_wal_lsn()} on the same connection is at or past the commit record, so a replica
 * that has replayed up to it has the transaction. The timeline comes from the WAL file name, which
 * is right at once after a promotion (pg_control_checkpoint() shows the old one until a checkpoint).
 */
public final class CommitPosition {

    private static final Logger log = LoggerFactory.getLogger(CommitPosition.class);

    public static final String QUERY =
            "SELECT substr(pg_walfile_name(l), 1, 8), l::text FROM pg_current_wal_lsn() AS l";

    private CommitPosition() {
    }

    /** The primary's current position, as a token. */
    public static ConsistencyToken read(Connection primary) throws SQLException {
        try (Statement st = primary.createStatement(); ResultSet rs = st.executeQuery(QUERY)) {
            rs.next();
            return new ConsistencyToken(Integer.parseUnsignedInt(rs.getString(1), 16),
                    ConsistencyToken.parseLsn(rs.getString(2)));
        }
    }

    /**
     * The connection, reporting each commit's position to the request's {@link ConsistencyContext}.
     * Outside a request it is returned as is: nobody would use the position. When the position
     * cannot be read on the connection right after its commit (it failed under it), {@code otherwise}
     * says where the commit is — never nothing: the client must still read its write.
     */
    public static Connection reporting(Connection primary, Supplier<ConsistencyToken> otherwise) {
        if (!ConsistencyContext.isOpen()) {
            return primary;
        }
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("equals")) {
                return proxy == args[0];
            }
            if (method.getName().equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            Object result;
            try {
                result = method.invoke(primary, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (method.getName().equals("commit")) {
                ConsistencyToken position;
                try {
                    position = read(primary);
                } catch (SQLException e) {
                    log.warn("committed, but the connection could not tell the WAL position: {}", e.getMessage());
                    position = otherwise.get();
                }
                ConsistencyContext.committed(position);
            }
            return result;
        };
        return (Connection) Proxy.newProxyInstance(CommitPosition.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
    }
}
