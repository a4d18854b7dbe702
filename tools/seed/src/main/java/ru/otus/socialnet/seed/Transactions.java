package ru.otus.socialnet.seed;

import java.sql.Connection;
import java.sql.SQLException;

/** One unit of work in one transaction on a plain JDBC connection: commit, or roll back and rethrow. */
final class Transactions {

    private Transactions() {
    }

    interface Work<T> {
        T run() throws SQLException;
    }

    static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
