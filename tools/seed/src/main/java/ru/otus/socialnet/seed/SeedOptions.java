package ru.otus.socialnet.seed;

import java.nio.file.Path;
import java.util.Map;

import ru.otus.socialnet.pg.PgConnectionSettings;

/**
 * What to seed and where. The database settings use the service's own environment names
 * (PG_AUTHORITY_MASTER, PG_DATABASE, PG_USER, PG_PASSWORD): the seeder writes to the primary.
 */
record SeedOptions(String jdbcUrl, String user, String password, long users, long seed, Distribution distribution,
                   int chunkSize, int workers, Path prefixesFile, int prefixCount) {

    static final String USAGE = """
            usage: seed [--users N] [--seed S] [--distribution zipf|uniform] [--chunk N] [--workers N]
                        [--prefixes FILE] [--prefix-count N]
              --users N         users this seed should have in total (default 1000000)
              --seed S          the data set; the same seed always gives the same users (default 42)
              --distribution D  how names are spread: zipf (default; common surnames, a long tail)
                                or uniform (466 first names x 500 surnames, all equally likely).
                                One database holds one distribution (PG_DATABASE picks another)
              --chunk N         users per COPY transaction, the unit of resumption (default 10000)
              --workers N       parallel COPY connections (default 2)
              --prefixes FILE   CSV of (first-name prefix, last-name prefix) for the load plans
                                (default .load/prefixes.csv)
              --prefix-count N  rows of that CSV (default 1000)
            environment: PG_AUTHORITY_MASTER (%s; host:port[,host:port...]), PG_DATABASE, PG_USER, PG_PASSWORD (socialnet)"""
            .formatted(PgConnectionSettings.DEFAULT_MASTER);

    static SeedOptions parse(String[] args, Map<String, String> env) {
        long users = 1_000_000;
        long seed = 42;
        Distribution distribution = Distribution.ZIPF;
        int chunk = 10_000;
        int workers = 2;
        Path prefixes = Path.of(".load/prefixes.csv");
        int prefixCount = 1000;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                case "--users" -> users = Long.parseLong(required(args[i], value));
                case "--seed" -> seed = Long.parseLong(required(args[i], value));
                case "--distribution" -> distribution = Distribution.parse(required(args[i], value));
                case "--chunk" -> chunk = Integer.parseInt(required(args[i], value));
                case "--workers" -> workers = Integer.parseInt(required(args[i], value));
                case "--prefixes" -> prefixes = Path.of(required(args[i], value));
                case "--prefix-count" -> prefixCount = Integer.parseInt(required(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
            i++;
        }
        if (users < 0 || chunk < 1 || workers < 1 || prefixCount < 1) {
            throw new IllegalArgumentException("--users must be >= 0; --chunk, --workers, --prefix-count >= 1");
        }
        PgConnectionSettings pg = PgConnectionSettings.fromEnvironment(env);
        // PG_AUTHORITY_MASTER may list every node (its default and bin/cluster env do, to follow a
        // failover): the driver then picks whichever is the primary now.
        String url = pg.jdbcUrl(pg.master()) + "?targetServerType=primary";
        return new SeedOptions(url, pg.user(), pg.password(), users, seed, distribution, chunk, workers, prefixes, prefixCount);
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return value;
    }

    long chunks() {
        return (users + chunkSize - 1) / chunkSize;
    }

    /** How many rows chunk {@code chunk} holds when this seed has {@link #users} users. */
    int rowsOfChunk(long chunk) {
        return (int) Math.min(chunkSize, users - chunk * chunkSize);
    }
}
