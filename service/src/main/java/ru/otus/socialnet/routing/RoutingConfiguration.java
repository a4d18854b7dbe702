package ru.otus.socialnet.routing;

import java.sql.Connection;
import java.util.Map;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.transaction.PlatformTransactionManager;

import ru.otus.socialnet.routing.ReadWriteRoutingDataSource.Route;
import ru.otus.socialnet.routing.nodes.ClusterMonitor;
import ru.otus.socialnet.routing.nodes.ClusterPositions;
import ru.otus.socialnet.routing.nodes.MigrationDataSource;
import ru.otus.socialnet.routing.nodes.PgProperties;
import ru.otus.socialnet.routing.nodes.ReadRouter;
import ru.otus.socialnet.routing.nodes.ReadsHealthIndicator;
import ru.otus.socialnet.routing.nodes.ReplicationHealthIndicator;
import ru.otus.socialnet.routing.nodes.RoutingMetrics;
import ru.otus.socialnet.routing.nodes.RoutingProperties;
import ru.otus.socialnet.routing.nodes.WriteRouter;
import ru.otus.socialnet.routing.nodes.WritesHealthIndicator;
import ru.otus.socialnet.routing.transactions.ReplicationTransactionManager;

/**
 * The service's connections: a monitor that probes every node and decides who writes and who reads,
 * the write and read routers over the nodes' pools, and in front of them the routing data source
 * and the transaction manager the application uses.
 */
@Configuration(proxyBeanMethods = false)
public class RoutingConfiguration {

    @Bean
    RoutingMetrics routingMetrics(MeterRegistry registry) {
        return new RoutingMetrics(registry);
    }

    /** Probes every node once before anything connects, then keeps watching; owns the nodes' pools. */
    @Bean(initMethod = "start", destroyMethod = "close")
    ClusterMonitor clusterMonitor(PgProperties pg, RoutingProperties routing, RoutingMetrics metrics) {
        return new ClusterMonitor(pg, routing, metrics);
    }

    /** Whether a client's token can be from here; where a commit landed when its connection could not tell. */
    @Bean
    ClusterPositions clusterPositions(ClusterMonitor monitor, RoutingMetrics metrics) {
        return new ClusterPositions(monitor, metrics);
    }

    /** Writes go to the primary the monitor chose. */
    @Bean
    WriteRouter writeRouter(ClusterMonitor monitor, ClusterPositions positions, RoutingMetrics metrics) {
        return new WriteRouter(monitor, positions, metrics);
    }

    /** Flyway migrates the primary the monitor chose, without the requests' timeouts. */
    @Bean
    @FlywayDataSource
    MigrationDataSource migrationDataSource(ClusterMonitor monitor, PgProperties pg, RoutingProperties routing) {
        return new MigrationDataSource(monitor, pg, routing.migrationPrimaryWait());
    }

    @Bean
    ReadRouter readRouter(ClusterMonitor monitor, RoutingProperties routing, RoutingMetrics metrics) {
        return new ReadRouter(monitor, routing, metrics);
    }

    /** What the application (JdbcClient, transaction manager) uses. */
    @Bean
    @Primary
    DataSource dataSource(WriteRouter writes, ReadRouter reads) {
        ReadWriteRoutingDataSource router = new ReadWriteRoutingDataSource();
        router.setTargetDataSources(Map.of(Route.WRITES, writes, Route.READS, reads));
        router.setDefaultTargetDataSource(writes);
        router.setLenientFallback(false);
        router.afterPropertiesSet();
        LazyConnectionDataSourceProxy lazy = new LazyConnectionDataSourceProxy(router);
        // The proxy would otherwise open a physical connection just to learn these defaults.
        lazy.setDefaultAutoCommit(true);
        lazy.setDefaultTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        return lazy;
    }

    /**
     * PostgreSQL's SQLSTATEs to Spring's exceptions (55P03 lock timeout, 40001 conflict...), fixed
     * here rather than looked up from a live connection at the first failure: when that lookup
     * fails (no primary at that moment) Spring leaves the failures uncategorised, for good.
     */
    @Bean
    SQLExceptionTranslator sqlExceptionTranslator() {
        return new SQLErrorCodeSQLExceptionTranslator("PostgreSQL");
    }

    @Bean
    JdbcTemplate jdbcTemplate(DataSource dataSource, SQLExceptionTranslator translator) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.setExceptionTranslator(translator);
        return jdbc;
    }

    /** Spring's JDBC transaction manager, fitted to a primary with standbys: reads in autocommit, commits of unknown outcome told apart. */
    @Bean
    PlatformTransactionManager transactionManager(DataSource dataSource, SQLExceptionTranslator translator) {
        ReplicationTransactionManager transactions = new ReplicationTransactionManager(dataSource);
        transactions.setExceptionTranslator(translator);
        return transactions;
    }

    @Bean
    ReplicationHealthIndicator replicationHealthIndicator(ClusterMonitor monitor) {
        return new ReplicationHealthIndicator(monitor);
    }

    @Bean
    ReadsHealthIndicator readsHealthIndicator(ClusterMonitor monitor) {
        return new ReadsHealthIndicator(monitor);
    }

    @Bean
    WritesHealthIndicator writesHealthIndicator(ClusterMonitor monitor) {
        return new WritesHealthIndicator(monitor);
    }
}
