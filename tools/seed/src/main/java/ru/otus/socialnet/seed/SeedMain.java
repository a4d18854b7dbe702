package ru.otus.socialnet.seed;

import java.io.PrintStream;
import java.sql.Connection;

import org.flywaydb.core.Flyway;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/**
 * {@code bin/seed}: fills the database with realistic Russian users, deterministically per seed,
 * by COPY in resumable chunks, then writes the prefix CSV of the load plans. A plain main, no web
 * server: it shares only the schema (Flyway migrations) and the environment names with the service.
 */
public final class SeedMain {

    /** The password of every seeded user: one bcrypt hash for all (bcrypt per row would take hours). */
    public static final String SEEDED_PASSWORD = "seeded-user-password";

    private SeedMain() {
    }

    public static void main(String[] args) throws Exception {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        SeedOptions options;
        try {
            options = SeedOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Result r;
        try {
            r = seed(options, System.err);
        } catch (IllegalStateException e) {
            System.err.println("seed: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.err.printf("seed %d (%s names): %,d users inserted in %.1f s (%,.0f users/s); %,d users of this seed in place%n",
                options.seed(), options.distribution().cliName(), r.inserted(), r.seconds(),
                r.inserted() / Math.max(r.seconds(), 1e-9), options.users());
        System.err.printf("prefix CSV: %d pairs in %s%n", r.prefixes(), options.prefixesFile());
        // stdout: one machine-readable line for the scripts that call the seeder.
        System.out.printf("inserted=%d seconds=%.2f users=%d prefixes=%s%n", r.inserted(), r.seconds(),
                options.users(), options.prefixesFile().toAbsolutePath());
    }

    record Result(long inserted, double seconds, int prefixes) {
    }

    /** Migrates the schema, loads what this seed lacks, writes the prefix CSV. */
    static Result seed(SeedOptions options, PrintStream console) throws Exception {
        Flyway.configure()
                .dataSource(options.jdbcUrl(), options.user(), options.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        String hash = new BCryptPasswordEncoder().encode(SEEDED_PASSWORD);
        UserRowGenerator generator = new UserRowGenerator(RussianPeople.load(options.distribution()), options.seed(), hash);
        Seeder seeder = new Seeder(options, generator, console);
        long start = System.nanoTime();
        long inserted = seeder.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        int prefixes;
        try (Connection c = seeder.connect()) {
            prefixes = PrefixSampler.write(c, options.seed(), options.prefixCount(), options.prefixesFile());
        }
        return new Result(inserted, seconds, prefixes);
    }

}
