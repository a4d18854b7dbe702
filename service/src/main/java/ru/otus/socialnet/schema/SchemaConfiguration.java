package ru.otus.socialnet.schema;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import ru.otus.socialnet.routing.nodes.ClusterMonitor;
import ru.otus.socialnet.routing.nodes.MigrationDataSource;
import ru.otus.socialnet.routing.nodes.RoutingProperties;

/**
 * The schema's keeper: Spring Boot's Flyway initializer hands it the start-up migration (it is the
 * {@code FlywayMigrationStrategy}), and it keeps the schema in place afterwards.
 */
@Configuration(proxyBeanMethods = false)
public class SchemaConfiguration {

    @Bean(destroyMethod = "close")
    SchemaKeeper schemaKeeper(ClusterMonitor monitor, MigrationDataSource migrations, RoutingProperties routing) {
        return new SchemaKeeper(monitor, migrations, routing.monitorInterval(), routing.migrationPrimaryWait());
    }

    @Bean
    SchemaHealthIndicator schemaHealthIndicator(ClusterMonitor monitor, SchemaKeeper keeper) {
        return new SchemaHealthIndicator(monitor, keeper);
    }
}
