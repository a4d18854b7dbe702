package ru.otus.socialnet.seed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The search workload of the load plans: (first-name prefix, last-name prefix) pairs of 2-5
 * characters cut from users that are really in the table, so every search finds someone.
 */
final class PrefixSampler {

    static final int MIN_PREFIX = 2;
    static final int MAX_PREFIX = 5;

    private PrefixSampler() {
    }

    /** Samples {@code count} pairs (fewer if the table is smaller) and writes them as CSV lines "first,last". */
    static int write(Connection c, long seed, int count, Path file) throws SQLException, IOException {
        List<String> lines = new ArrayList<>(count);
        SplittableRandom random = new SplittableRandom(seed);
        // REPEATABLE(seed): the same rows for the same table contents; the 3x margin covers the
        // sampling's randomness, LIMIT cuts it back.
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT first_name, second_name
                  FROM users TABLESAMPLE BERNOULLI (least(100, 300.0 * ? / greatest(1, (SELECT count(*) FROM users))))
                       REPEATABLE (?)
                 LIMIT ?""")) {
            ps.setInt(1, count);
            ps.setDouble(2, seed);
            ps.setInt(3, count);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(cut(rs.getString(1), random) + "," + cut(rs.getString(2), random));
                }
            }
        }
        // The sample comes in table order; the plans read the file top-down, so mix it.
        Collections.shuffle(lines, new Random(seed));
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return lines.size();
    }

    private static String cut(String name, SplittableRandom random) {
        int length = random.nextInt(MIN_PREFIX, MAX_PREFIX + 1);
        // Cut by code points: a prefix never ends in half a character.
        int end = name.offsetByCodePoints(0, Math.min(length, name.codePointCount(0, name.length())));
        // A comma would break the CSV; names from the seeder have none, registered ones might.
        return name.substring(0, end).replace(",", "");
    }
}
