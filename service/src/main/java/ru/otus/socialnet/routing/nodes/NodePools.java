package ru.otus.socialnet.routing.nodes;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's connections: a pool for reads (read-only, read timeouts), a pool for writes (used only
 * while the node is the primary, write timeouts) and the monitor's own probe connection, apart from
 * both, so that a pool busy with requests never makes a probe wait (overload is not failure). Every
 * bound is the driver's or the pool's own setting; see {@link PgProperties.Timeouts}.
 */
final class NodePools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodePools.class);

    /** The sessions' application_name on the server, per pool (pg_stat_activity tells them apart). */
    static final String READ_APPLICATION = "socialnet-read";
    static final String WRITE_APPLICATION = "socialnet-write";

    /** pgjdbc applies a network timeout itself, on the calling thread; it takes no executor. */
    private static final Executor DIRECT = Runnable::run;

    private final HikariDataSource reads;
    private final HikariDataSource writes;
    private final ProbeConnection probe;
    private final int readSocketMillis;
    private final int writeSocketMillis;
    private final IntConsumer onAbandoned;

    private NodePools(HikariDataSource reads, HikariDataSource writes, ProbeConnection probe, PgProperties.Timeouts t,
                      IntConsumer onAbandoned) {
        this.reads = reads;
        this.writes = writes;
        this.probe = probe;
        this.onAbandoned = onAbandoned;
        this.readSocketMillis = (int) t.readSocket().toMillis();
        this.writeSocketMillis = (int) t.writeSocket().toMillis();
    }

    /**
     * Creates the pools; none connects yet (a node that is down at start-up must not stop the
     * service). {@code onFailure} hears every SQLException raised on a connection of the node;
     * {@code onAbandoned} the backend pid of every write session the driver gave up on.
     */
    static NodePools create(HostPort node, PgProperties pg, SQLExceptionOverride onFailure, IntConsumer onAbandoned) {
        PgProperties.Timeouts t = pg.timeouts();
        HikariConfig reads = config(pg, node, READ_APPLICATION, t.readSocket(),
                "-c statement_timeout=" + t.readStatement().toMillis() + " -c lock_timeout=" + t.readLock().toMillis()
                        + " -c default_transaction_read_only=on", onFailure);
        reads.setReadOnly(true);
        reads.setMaximumPoolSize(pg.pool().replicaSize());
        // No idle minimum: HikariCP keeps trying to refill a pool below its minimum, on one thread
        // and with a backoff that grows to 5 s while the node is down; when the node is back in
        // rotation, the pool then stays empty for up to 5 s while every read sent to it waits out
        // read-pool-wait. Without a minimum the refilling stops once no read waits (a banned node
        // gets none), and the first read after the node is back starts it afresh.
        reads.setMinimumIdle(0);
        reads.setConnectionTimeout(t.readPoolWait().toMillis());

        // No statement_timeout here: see PgProperties.Timeouts#writeSocket.
        HikariConfig writes = config(pg, node, WRITE_APPLICATION, t.writeSocket(),
                "-c lock_timeout=" + t.writeLock().toMillis(), onFailure);
        writes.setMaximumPoolSize(pg.pool().primarySize());
        writes.setMinimumIdle(0); // a standby's write pool stays empty until the node is promoted
        writes.setConnectionTimeout(t.writePoolWait().toMillis());

        HikariDataSource readPool = new HikariDataSource(reads);
        HikariDataSource writePool = new HikariDataSource(writes);
        // The node's name now resolves elsewhere: every pooled connection may be to another server.
        Runnable moved = () -> {
            softEvict(readPool);
            softEvict(writePool);
        };
        return new NodePools(readPool, writePool, new ProbeConnection(node, pg, moved), t, onAbandoned);
    }

    private static HikariConfig config(PgProperties pg, HostPort node, String application, Duration socket,
                                       String options, SQLExceptionOverride onFailure) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(application.substring("socialnet-".length()) + "@" + node);
        config.setJdbcUrl(pg.connection().jdbcUrl(node.toString()));
        config.setUsername(pg.user());
        config.setPassword(pg.password());
        // Driver properties are read as strings: a Long or Boolean here would be silently ignored.
        // The driver counts these in whole seconds; a borrowed connection gets its socket bound to
        // the millisecond (read/write below), the driver's setting is the backstop for the rest.
        long connect = pg.timeouts().connect().toSeconds();
        config.addDataSourceProperty("connectTimeout", Long.toString(connect));
        config.addDataSourceProperty("loginTimeout", Long.toString(2 * connect));
        config.addDataSourceProperty("socketTimeout", Long.toString(Math.max(1, (socket.toMillis() + 999) / 1000)));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", application);
        config.addDataSourceProperty("options", options);
        config.setExceptionOverride(onFailure);
        // A node that is down at start-up must not stop the service: its pool fills once it answers.
        config.setInitializationFailTimeout(-1);
        config.setKeepaliveTime(TimeUnit.SECONDS.toMillis(30));
        // A connection idle over 0.5 s is validated when borrowed, in 0.5 s at most: a dead server's
        // connections are dropped at once rather than failing the request that gets them.
        config.setValidationTimeout(500);
        config.setMaxLifetime(TimeUnit.MINUTES.toMillis(10));
        config.setIdleTimeout(TimeUnit.MINUTES.toMillis(5));
        return config;
    }

    /** A read connection whose socket gives up after pg.timeouts.read-socket (the pool restores it on return). */
    Connection read() throws SQLException {
        return bounded(reads.getConnection(), readSocketMillis);
    }

    /**
     * A write connection whose socket gives up after pg.timeouts.write-socket; a session it gives up
     * on is reported when the connection is given back ({@link AbandonedSessions}).
     */
    Connection write() throws SQLException {
        Connection c = bounded(writes.getConnection(), writeSocketMillis);
        try {
            return AbandonedSessions.watch(c, onAbandoned);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static Connection bounded(Connection c, int millis) throws SQLException {
        try {
            c.setNetworkTimeout(DIRECT, millis);
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** Idle connections closed now, those in use when they are given back; new ones look the name up. */
    private static void softEvict(HikariDataSource pool) {
        if (pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    ProbeConnection probe() {
        return probe;
    }

    @Override
    public void close() {
        probe.close();
        for (HikariDataSource pool : new HikariDataSource[] {reads, writes}) {
            try {
                pool.close();
            } catch (RuntimeException e) {
                log.warn("closing pool {}: {}", pool.getPoolName(), e.getMessage());
            }
        }
    }
}
