package ru.otus.socialnet.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import ru.otus.socialnet.routing.nodes.PgProperties;

/** The service (Spring's binding of pg.*) and the tools (fromEnvironment) read the same PG_* the same way. */
class PgConnectionSettingsTest {

    @Test
    void unsetMeansTheLocalCluster() {
        PgConnectionSettings pg = PgConnectionSettings.fromEnvironment(Map.of());
        assertThat(pg).isEqualTo(new PgConnectionSettings("127.0.0.1:15432,127.0.0.1:15433,127.0.0.1:15434",
                "127.0.0.1:15433,127.0.0.1:15434", "socialnet", "socialnet", "socialnet"));
        assertThat(pg.jdbcUrl(pg.master()))
                .isEqualTo("jdbc:postgresql://127.0.0.1:15432,127.0.0.1:15433,127.0.0.1:15434/socialnet");
    }

    @Test
    void theServiceBindsTheSameValuesAsTheToolsRead() {
        Map<String, Object> none = Map.of();
        Map<String, Object> all = Map.of("PG_AUTHORITY_MASTER", "db1:5432,db2:5433", "PG_AUTHORITY_REPLICA", "",
                "PG_DATABASE", "other", "PG_USER", "app", "PG_PASSWORD", "secret");
        for (Map<String, Object> env : List.of(none, all)) {
            Map<String, String> asStrings = new HashMap<>();
            env.forEach((k, v) -> asStrings.put(k, (String) v));
            assertThat(service(env).connection()).as("%s", env).isEqualTo(PgConnectionSettings.fromEnvironment(asStrings));
        }
        assertThat(service(all).authority().readsOnStandbys()).as("an empty replica list").isFalse();
    }

    /** PgProperties as Spring Boot binds it from these environment variables alone (no application.yaml). */
    private static PgProperties service(Map<String, Object> env) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env));
        return new Binder(ConfigurationPropertySources.from(sources)).bindOrCreate("pg", Bindable.of(PgProperties.class));
    }
}
