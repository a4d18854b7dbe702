package ru.otus.socialnet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a node keeps in pg_stat_statements. The application's role reads it (pg_monitor includes
 * pg_read_all_stats), so a statement that carries a password in its text — the bootstrap's
 * CREATE ROLE, a standby's ALTER SYSTEM SET primary_conninfo — must never be kept there: the
 * statistics of utility statements are not normalised, and they survive clean restarts.
 */
public final class StatementStatistics {

    private StatementStatistics() {
    }

    /**
     * Asserts that the node behind C (connected to the application's database, where the extension
     * is) keeps no statement with a password literal or a conninfo password in it. The statements
     * themselves are never printed: they would put the password into the test's output.
     */
    public static void assertNoPasswords(Connection c, String node) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT count(*) FROM pg_stat_statements
                 WHERE query ~* '\\mpassword\\s*(''|=)'""")) {
            rs.next();
            assertThat(rs.getLong(1)).as("statements with a password in their text in %s's pg_stat_statements"
                    + " (not shown here: they hold it)", node).isZero();
        }
    }
}
