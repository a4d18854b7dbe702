package ru.otus.socialnet.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ru.otus.socialnet.testsupport.TestCluster;
import ru.otus.socialnet.testsupport.TestCluster.Node;

/**
 * The seeder against the real primary, each test in a database of its own (so the service
 * tests sharing the cluster never see seeded users): deterministic per seed, no duplicates on
 * re-run, resumption after an interruption, the parked search index always put back, a prefix
 * CSV whose every pair finds someone, and both name distributions (Zipf-like and uniform).
 */
class SeederIT {

    private static final TestCluster cluster = TestCluster.get();
    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesTheSameUsersAndReRunningAddsNone() throws Exception {
        String db = freshDatabase("seed_same");
        SeedMain.Result first = seed(db, 10_000, 42);
        assertThat(first.inserted()).isEqualTo(10_000);
        String fingerprint = fingerprint(db);

        SeedMain.Result again = seed(db, 10_000, 42);
        assertThat(again.inserted()).isZero();
        assertThat(count(db, "SELECT count(*) FROM users")).isEqualTo(10_000);
        assertThat(fingerprint(db)).isEqualTo(fingerprint);

        String other = freshDatabase("seed_same_other");
        seed(other, 10_000, 42);
        assertThat(fingerprint(other)).as("a fresh database, the same seed").isEqualTo(fingerprint);
        String differentSeed = freshDatabase("seed_same_seed7");
        seed(differentSeed, 10_000, 7);
        assertThat(fingerprint(differentSeed)).isNotEqualTo(fingerprint);
    }

    @Test
    void anInterruptedRunIsCompletedByTheNextOne() throws Exception {
        String full = freshDatabase("seed_full");
        seed(full, 10_000, 42);

        String resumed = freshDatabase("seed_resumed");
        // What an interrupted run leaves: some chunks committed, one partly (the chunk size
        // here is 1,000), and the search index still parked by its bulk load.
        seed(resumed, 4_500, 42);
        try (Connection c = connect(resumed)) {
            assertThat(IndexParking.park(c)).containsExactly("users_name_prefix_idx");
        }
        assertThat(indexExists(resumed)).isFalse();

        SeedMain.Result rest = seed(resumed, 10_000, 42);
        assertThat(rest.inserted()).isEqualTo(5_500);
        assertThat(count(resumed, "SELECT count(*) FROM users")).isEqualTo(10_000);
        assertThat(fingerprint(resumed)).isEqualTo(fingerprint(full));
        assertThat(indexExists(resumed)).as("the parked index is rebuilt").isTrue();
        assertThat(count(resumed, "SELECT count(*) FROM seed_parked_indexes")).isZero();
    }

    @Test
    void usersLookRussianAndThePrefixCsvFindsThem() throws Exception {
        String db = freshDatabase("seed_realistic");
        seed(db, 10_000, 42);
        // Surnames follow the locale's frequency order: Смирнов(а) is the most common.
        assertThat(single(db, """
                SELECT regexp_replace(second_name, 'а$', '') FROM users
                 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""")).isEqualTo("Смирнов");
        assertThat(count(db, "SELECT count(DISTINCT first_name) FROM users")).isGreaterThan(90);
        assertThat(count(db, "SELECT count(DISTINCT second_name) FROM users")).isGreaterThan(300);
        assertThat(count(db, "SELECT count(DISTINCT city) FROM users")).isGreaterThan(20);
        assertThat(count(db, "SELECT count(*) FROM users WHERE birthdate < '1950-01-01' OR birthdate > '2008-12-31'"))
                .isZero();
        // The surname agrees with the first name's gender: no "Анна Иванов".
        assertThat(count(db, """
                SELECT count(*) FROM users
                 WHERE first_name IN ('Анна', 'Мария', 'Ольга', 'Елена') AND second_name NOT LIKE '%а'""")).isZero();

        assertPrefixesFindUsers(db);
    }

    @Test
    void theUniformDistributionIsFlatDeterministicAndItsCsvFindsItsUsers() throws Exception {
        String db = freshDatabase("seed_uniform");
        seed(db, 10_000, 42, "uniform");
        assertPrefixesFindUsers(db);   // the CSV of the latest seeding; the next ones rewrite it
        String fingerprint = fingerprint(db);
        String again = freshDatabase("seed_uniform_again");
        seed(again, 10_000, 42, "uniform");
        assertThat(fingerprint(again)).as("the same seed, uniform").isEqualTo(fingerprint);
        String zipf = freshDatabase("seed_uniform_zipf");
        seed(zipf, 10_000, 42, "zipf");
        assertThat(fingerprint(zipf)).as("the same seed, the other distribution").isNotEqualTo(fingerprint);

        // ~470 first names (Russian and Ukrainian) and 500 surnames, each about equally common:
        // in the Zipf set Смирнов(а) alone is about 12 % of the users.
        assertThat(count(db, "SELECT count(DISTINCT first_name) FROM users")).isGreaterThan(440);
        assertThat(count(db, "SELECT count(DISTINCT second_name) FROM users")).isGreaterThan(490);
        assertThat(count(db, "SELECT max(n) FROM (SELECT count(*) n FROM users GROUP BY second_name) s"))
                .as("the most common surname, of 10,000 users (mean 20)").isLessThan(50);
        assertThat(count(db, "SELECT max(n) FROM (SELECT count(*) n FROM users GROUP BY first_name) s"))
                .as("the most common first name, of 10,000 users (mean 21)").isLessThan(50);
        assertThat(count(zipf, "SELECT count(*) FROM users WHERE second_name IN ('Смирнов', 'Смирнова')"))
                .isGreaterThan(400);
        assertThat(count(db, "SELECT count(*) FROM users WHERE first_name ~ '[іїєґ]'")).as("Ukrainian names").isPositive();
        // Still one gender per user: no "Оксана Иванов".
        assertThat(count(db, """
                SELECT count(*) FROM users
                 WHERE first_name IN ('Анна', 'Оксана', 'Ольга', 'Ярослава') AND second_name NOT LIKE '%а'""")).isZero();
    }

    @Test
    void oneDatabaseHoldsOneDistribution() throws Exception {
        String db = freshDatabase("seed_one_shape");
        seed(db, 2_000, 42, "zipf");
        String before = fingerprint(db);
        assertThatThrownBy(() -> seed(db, 2_000, 42, "uniform"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--distribution zipf");
        assertThatThrownBy(() -> seed(db, 4_000, 7, "uniform")).isInstanceOf(IllegalStateException.class);
        assertThat(fingerprint(db)).as("nothing added").isEqualTo(before);
        assertThat(seed(db, 3_000, 42, "zipf").inserted()).isEqualTo(1_000);
    }

    private void assertPrefixesFindUsers(String db) throws Exception {
        List<String> lines = Files.readAllLines(tmp.resolve("prefixes.csv"), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(200);
        try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM users WHERE lower(first_name) LIKE lower(?) AND lower(second_name) LIKE lower(?)""")) {
            for (String line : lines) {
                String[] pair = line.split(",", -1);
                assertThat(pair).hasSize(2);
                assertThat(pair[0].length()).isBetween(PrefixSampler.MIN_PREFIX, PrefixSampler.MAX_PREFIX);
                assertThat(pair[1].length()).isBetween(PrefixSampler.MIN_PREFIX, PrefixSampler.MAX_PREFIX);
                ps.setString(1, pair[0] + "%");
                ps.setString(2, pair[1] + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(line).isPositive();
                }
            }
        }
    }

    private SeedMain.Result seed(String db, long users, long seed) throws Exception {
        return seed(db, users, seed, "zipf");
    }

    private SeedMain.Result seed(String db, long users, long seed, String distribution) throws Exception {
        SeedOptions options = SeedOptions.parse(new String[] {
                "--users", Long.toString(users), "--seed", Long.toString(seed), "--chunk", "1000",
                "--distribution", distribution,
                "--prefixes", tmp.resolve("prefixes.csv").toString(), "--prefix-count", "200"},
                Map.of("PG_AUTHORITY_MASTER", cluster.authority(Node.PRIMARY), "PG_DATABASE", db,
                        "PG_USER", TestCluster.APP_USER, "PG_PASSWORD", TestCluster.APP_PASSWORD));
        return SeedMain.seed(options, NOWHERE);
    }

    /** The users' contents, independent of their ids and of the order chunks were loaded in. */
    private static String fingerprint(String db) throws SQLException {
        return single(db, """
                SELECT md5(string_agg(concat_ws('|', first_name, second_name, birthdate, city, biography), ','
                                      ORDER BY first_name, second_name, birthdate, city, biography))
                  FROM users""");
    }

    private static boolean indexExists(String db) throws SQLException {
        return count(db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name_prefix_idx'") == 1;
    }

    private static String freshDatabase(String name) throws SQLException {
        try (Connection c = cluster.superuser(Node.PRIMARY); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name);
            st.execute("CREATE DATABASE " + name + " OWNER " + TestCluster.APP_USER);
        }
        return name;
    }

    private static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + cluster.authority(Node.PRIMARY) + "/" + db,
                TestCluster.APP_USER, TestCluster.APP_PASSWORD);
    }

    private static String single(String db, String sql) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long count(String db, String sql) throws SQLException {
        return Long.parseLong(single(db, sql));
    }
}
