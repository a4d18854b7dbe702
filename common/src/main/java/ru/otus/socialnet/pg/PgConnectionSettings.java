package ru.otus.socialnet.pg;

import java.util.Map;

/**
 * Where PostgreSQL is and who connects: the {@code PG_*} settings every program of the project
 * shares, with their defaults (the local cluster of {@code bin/cluster}). The service is bound to
 * the same names by Spring ({@code pg.*}, relaxed binding; {@code PgProperties} takes its defaults
 * from here); the seeder, the failover drill and the fault campaign read them here.
 *
 * @param master   {@code PG_AUTHORITY_MASTER}: {@code host:port[,host:port...]}, the nodes that may be the primary
 * @param replica  {@code PG_AUTHORITY_REPLICA}: the nodes expected to be standbys (empty: the primary serves reads)
 * @param database {@code PG_DATABASE}
 * @param user     {@code PG_USER}: the application's role
 * @param password {@code PG_PASSWORD}
 */
public record PgConnectionSettings(String master, String replica, String database, String user, String password) {

    public static final String DEFAULT_MASTER = "127.0.0.1:15432,127.0.0.1:15433,127.0.0.1:15434";
    public static final String DEFAULT_REPLICA = "127.0.0.1:15433,127.0.0.1:15434";
    public static final String DEFAULT_DATABASE = "socialnet";
    public static final String DEFAULT_USER = "socialnet";
    public static final String DEFAULT_PASSWORD = "socialnet";

    /** The settings from ENV (the process environment, say); each one unset takes its default. */
    public static PgConnectionSettings fromEnvironment(Map<String, String> env) {
        return new PgConnectionSettings(env.getOrDefault("PG_AUTHORITY_MASTER", DEFAULT_MASTER),
                env.getOrDefault("PG_AUTHORITY_REPLICA", DEFAULT_REPLICA),
                env.getOrDefault("PG_DATABASE", DEFAULT_DATABASE), env.getOrDefault("PG_USER", DEFAULT_USER),
                env.getOrDefault("PG_PASSWORD", DEFAULT_PASSWORD));
    }

    /** The JDBC URL of this database on AUTHORITIES ({@code host:port[,host:port...]}), without parameters. */
    public String jdbcUrl(String authorities) {
        return jdbcUrl(authorities, database);
    }

    /** The JDBC URL of DATABASE on AUTHORITIES, without parameters: the one place such a URL is made. */
    public static String jdbcUrl(String authorities, String database) {
        return "jdbc:postgresql://" + authorities + "/" + database;
    }
}
