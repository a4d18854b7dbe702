package ru.otus.socialnet.cluster;

import ru.otus.socialnet.pg.PgConnectionSettings;

/**
 * How a tool reaches each node's database directly, past the service (the drill counts the writes
 * on the new primary, the campaign's checker reads every node): a database, a role and its password.
 * The nodes' addresses come from the cluster command ({@link ClusterControl#nodes}).
 */
public record DbAccess(String database, String user, String password) {

    /** The service's own database and role, from the {@code PG_*} environment ({@link PgConnectionSettings}). */
    public static DbAccess fromEnvironment() {
        PgConnectionSettings pg = PgConnectionSettings.fromEnvironment(System.getenv());
        return new DbAccess(pg.database(), pg.user(), pg.password());
    }

    /** This database's JDBC URL on AUTHORITY, without parameters. */
    public String jdbcUrl(String authority) {
        return PgConnectionSettings.jdbcUrl(authority, database);
    }
}
