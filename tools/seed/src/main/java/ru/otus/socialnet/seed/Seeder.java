package ru.otus.socialnet.seed;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Loads the users of one seed in chunks. Each chunk is one transaction: the COPY of its rows and
 * the update of its row in {@code seed_progress} commit together, so after any interruption the
 * table says exactly which rows exist, and a re-run loads only what is missing.
 */
final class Seeder {

    /** Rows per write to the COPY stream: a few hundred KB, small next to the chunk. */
    private static final int ROWS_PER_WRITE = 1000;

    private final SeedOptions options;
    private final UserRowGenerator generator;
    private final PrintStream console;

    /** {@code console}: where the progress bar and notes go (stderr for the CLI). */
    Seeder(SeedOptions options, UserRowGenerator generator, PrintStream console) {
        this.options = options;
        this.generator = generator;
        this.console = console;
    }

    /** Loads whatever this seed still lacks; returns the number of users inserted now. */
    long run() throws Exception {
        refuseOtherDistribution();
        Map<Long, Integer> loaded = loadedChunks();
        Queue<Long> todo = new ConcurrentLinkedQueue<>();
        long missing = 0;
        for (long c = 0; c < options.chunks(); c++) {
            int lacking = options.rowsOfChunk(c) - loaded.getOrDefault(c, 0);
            if (lacking > 0) {
                todo.add(c);
                missing += lacking;
            }
        }
        try (Connection c = connect()) {
            // Worth it only when the load dominates the table: rebuilding costs a full sort.
            if (missing > 0 && missing >= countUsers(c)) {
                for (String index : IndexParking.park(c)) {
                    console.printf("bulk load: index %s dropped, rebuilt after the load%n", index);
                }
            }
        }
        ProgressBar bar = new ProgressBar(console, missing);
        int workers = (int) Math.max(1, Math.min(options.workers(), todo.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                results.add(pool.submit(() -> {
                    work(todo, bar);
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        console.println();
        // A failed or interrupted run leaves its indexes parked; the next run (even one with
        // nothing to load) rebuilds them here.
        try (Connection c = connect()) {
            long start = System.nanoTime();
            for (String index : IndexParking.restore(c)) {
                console.printf("index %s rebuilt in %.1f s%n", index, (System.nanoTime() - start) / 1e9);
            }
            // Fresh statistics and a set visibility map: the planner's estimates and the search's
            // index-only scan depend on both, and autovacuum would reach a bulk load only later.
            start = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.execute("VACUUM (ANALYZE) users");
            }
            console.printf("users vacuumed and analysed in %.1f s%n", (System.nanoTime() - start) / 1e9);
        }
        return bar.done();
    }

    Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(options.jdbcUrl(), options.user(), options.password());
        try (Statement st = c.createStatement()) {
            // A crash may lose the last commits, but each chunk's progress row goes with its rows,
            // so nothing is lost that a re-run does not load again; not waiting for the WAL
            // flush on each chunk is the saving.
            st.execute("SET synchronous_commit = off");
        }
        return c;
    }

    private static long countUsers(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * One database holds one name distribution: adding uniform users to Zipf-like ones (or the
     * reverse) would give neither shape, and since progress is counted per seed, the same seed in
     * the other distribution would even look complete already.
     */
    private void refuseOtherDistribution() throws SQLException {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT DISTINCT distribution FROM seed_progress WHERE distribution <> ? ORDER BY 1")) {
            ps.setString(1, options.distribution().cliName());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new IllegalStateException("this database already holds users seeded with --distribution "
                            + rs.getString(1) + "; seed --distribution " + options.distribution().cliName()
                            + " into another database (PG_DATABASE)");
                }
            }
        }
    }

    private Map<Long, Integer> loadedChunks() throws SQLException {
        Map<Long, Integer> loaded = new HashMap<>();
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT chunk, rows_loaded FROM seed_progress WHERE seed = ?")) {
            ps.setLong(1, options.seed());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    loaded.put(rs.getLong(1), rs.getInt(2));
                }
            }
        }
        return loaded;
    }

    private void work(Queue<Long> todo, ProgressBar bar) throws SQLException {
        try (Connection c = connect()) {
            Long chunk;
            while ((chunk = todo.poll()) != null) {
                bar.advance(loadChunk(c, chunk));
            }
        }
    }

    /** Tops chunk {@code chunk} up to its full size in one transaction; returns the rows added. */
    private int loadChunk(Connection c, long chunk) throws SQLException {
        return Transactions.inTransaction(c, () -> {
            // The row lock serialises two seeders working on the same chunk: the second one
            // waits, then sees the first one's count and adds nothing.
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO seed_progress (seed, chunk, rows_loaded, distribution) VALUES (?, ?, 0, ?)
                    ON CONFLICT (seed, chunk) DO NOTHING""")) {
                ps.setLong(1, options.seed());
                ps.setLong(2, chunk);
                ps.setString(3, options.distribution().cliName());
                ps.executeUpdate();
            }
            int from;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT rows_loaded FROM seed_progress WHERE seed = ? AND chunk = ? FOR UPDATE")) {
                ps.setLong(1, options.seed());
                ps.setLong(2, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    from = rs.getInt(1);
                }
            }
            int to = options.rowsOfChunk(chunk);
            if (from < to) {
                copyRows(c, chunk * options.chunkSize() + from, chunk * options.chunkSize() + to);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE seed_progress SET rows_loaded = ?, loaded_at = now() WHERE seed = ? AND chunk = ?")) {
                    ps.setInt(1, to);
                    ps.setLong(2, options.seed());
                    ps.setLong(3, chunk);
                    ps.executeUpdate();
                }
            }
            return Math.max(0, to - from);
        });
    }

    private void copyRows(Connection c, long firstRow, long endRow) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY users (" + UserRowGenerator.COLUMNS + ") FROM STDIN");
        try {
            StringBuilder text = new StringBuilder(ROWS_PER_WRITE * 256);
            for (long row = firstRow; row < endRow; row++) {
                generator.appendRow(row, text);
                if ((row - firstRow + 1) % ROWS_PER_WRITE == 0 || row == endRow - 1) {
                    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    text.setLength(0);
                }
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }
}
