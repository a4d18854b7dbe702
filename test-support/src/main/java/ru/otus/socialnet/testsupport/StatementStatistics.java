package ru.otus.socialnet.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What a node keeps in pg_stat_statements. The application's role reads it (pg_monitor includes
 * pg_read_all_stats), so a statement that carries a password in its text — the bootstrap's
 * CREATE ROLE, a standby's ALTER SYSTEM SET primary_conninfo — must never be kept there: the
 * statistics of utility statements are not normalised, and they survive clean restarts.
 */
public final class StatementStatistics {

    /**
     * The passwords of the project's roles in the test clusters (the scripts' defaults: the
     * application's, the superuser's, the replication role's). Only these are looked for: a test
     * may create a role of its own, with a password of its own, in a statement that is kept.
     */
    static final String PROJECT_PASSWORDS = "socialnet|postgres|replicator";

    private StatementStatistics() {
    }

    /**
     * Asserts that the node behind C (connected to the application's database, where the extension
     * is) keeps no statement with one of the project's passwords in it, as an SQL literal
     * (PASSWORD '...') or in a conninfo (password='...'). The statements themselves are never
     * printed: they would put the password into the test's output.
     */
    public static void assertNoPasswords(Connection c, String node) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("""
                SELECT count(*) FROM pg_stat_statements
                 WHERE query ~* ('\\mpassword\\s*=?\\s*''(' || ? || ')''')""")) {
            st.setString(1, PROJECT_PASSWORDS);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("statements with one of the project's passwords in their text in"
                        + " %s's pg_stat_statements (not shown here: they hold it)", node).isZero();
            }
        }
    }
}
