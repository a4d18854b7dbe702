package ru.otus.socialnet.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;

import ru.otus.socialnet.routing.ReadWriteRoutingDataSource.Route;

/**
 * The service's connections: a read-write pool on the primary, one read-only pool per replica, and
 * in front of them the routing data source the application uses.
 */
@Configuration(proxyBeanMethods = false)
public class RoutingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RoutingConfiguration.class);

    /** The primary's pool. Flyway migrates through it directly; nothing else should. */
    @Bean(destroyMethod = "close")
    @FlywayDataSource
    HikariDataSource primaryPool(PgProperties pg) {
        // targetServerType=primary: with several hosts the driver connects to whichever is the
        // primary now, so a promoted replica takes the writes without a restart.
        HikariConfig config = poolConfig(pg, "primary", pg.authority().masters(), "targetServerType=primary");
        config.setMaximumPoolSize(pg.pool().primarySize());
        config.setConnectionTimeout(pg.pool().connectionTimeout().toMillis());
        return new HikariDataSource(config);
    }

    @Bean
    RoutingMetrics routingMetrics(MeterRegistry registry) {
        return new RoutingMetrics(registry);
    }

    /** One read-only pool per replica, watched by the monitor (which owns and closes them). */
    @Bean(initMethod = "start", destroyMethod = "close")
    ReplicationMonitor replicationMonitor(PgProperties pg, RoutingProperties routing, HikariDataSource primaryPool,
                                          RoutingMetrics metrics) {
        List<ReplicaNode> replicas = new ArrayList<>();
        for (HostPort replica : pg.authority().replicas()) {
            HikariConfig config = poolConfig(pg, "replica-" + replica, List.of(replica), "targetServerType=any");
            config.setReadOnly(true);
            config.setMaximumPoolSize(pg.pool().replicaSize());
            config.setConnectionTimeout(pg.pool().replicaConnectionTimeout().toMillis());
            // A replica that is down at start-up must not stop the service: the primary can serve.
            config.setInitializationFailTimeout(-1);
            ReplicaNode node = new ReplicaNode(replica.toString(), new HikariDataSource(config), routing, metrics);
            metrics.watch(node);
            replicas.add(node);
        }
        log.info("reads go to {}", replicas.isEmpty() ? "the primary (PG_AUTHORITY_REPLICA is empty)"
                : replicas.stream().map(ReplicaNode::name).collect(Collectors.joining(", ")));
        return new ReplicationMonitor(primaryPool, replicas, routing);
    }

    /** What the application (JdbcClient, transaction manager) uses. */
    @Bean
    @Primary
    DataSource dataSource(HikariDataSource primaryPool, ReplicationMonitor monitor, RoutingProperties routing,
                          RoutingMetrics metrics) {
        ReadWriteRoutingDataSource router = new ReadWriteRoutingDataSource();
        DataSource reads = monitor.replicas().isEmpty() ? primaryPool
                : new ReplicaRouter(monitor, primaryPool, routing, metrics);
        router.setTargetDataSources(Map.of(Route.PRIMARY, primaryPool, Route.REPLICAS, reads));
        router.setDefaultTargetDataSource(primaryPool);
        router.setLenientFallback(false);
        router.afterPropertiesSet();
        LazyConnectionDataSourceProxy lazy = new LazyConnectionDataSourceProxy(router);
        // The proxy would otherwise open a physical connection just to learn these defaults.
        lazy.setDefaultAutoCommit(true);
        lazy.setDefaultTransactionIsolation(java.sql.Connection.TRANSACTION_READ_COMMITTED);
        return lazy;
    }

    @Bean
    ReplicationHealthIndicator replicationHealthIndicator(ReplicationMonitor monitor) {
        return new ReplicationHealthIndicator(monitor);
    }

    private static HikariConfig poolConfig(PgProperties pg, String name, List<HostPort> hosts, String options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        String hostList = hosts.stream().map(HostPort::toString).collect(Collectors.joining(","));
        // connectTimeout bounds how long a dead node can hold a request; hostRecheckSeconds=1: the
        // driver re-asks a node it saw as a standby after 1 s (default 10), so a promoted replica
        // is found as the new primary within a second.
        config.setJdbcUrl("jdbc:postgresql://" + hostList + "/" + pg.database() + "?" + options
                + "&connectTimeout=2&hostRecheckSeconds=1&tcpKeepAlive=true&ApplicationName=socialnet");
        config.setUsername(pg.user());
        config.setPassword(pg.password());
        config.setMinimumIdle(2);
        config.setKeepaliveTime(30_000);
        // A dead server's connections go fast: validated on borrow when idle > 0.5 s, in 0.5 s at most.
        config.setValidationTimeout(500);
        config.setMaxLifetime(600_000);
        config.setIdleTimeout(300_000);
        return config;
    }
}
