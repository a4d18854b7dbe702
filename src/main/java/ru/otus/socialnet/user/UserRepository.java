package ru.otus.socialnet.user;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code users} table. Every statement is parameterised. */
@Repository
public class UserRepository {

    private static final String PROFILE_COLUMNS = "id, first_name, second_name, birthdate, biography, city";

    private final JdbcClient jdbc;

    public UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a user and returns the new id. The password arrives already hashed. */
    public long insert(RegistrationRequest user, String passwordHash) {
        return jdbc.sql("""
                        INSERT INTO users (first_name, second_name, birthdate, biography, city, password_hash)
                        VALUES (:first, :second, :birthdate, :biography, :city, :hash)
                        RETURNING id""")
                .param("first", user.firstName().strip())
                .param("second", user.secondName().strip())
                .param("birthdate", user.birthdate())
                .param("biography", user.biography() == null ? "" : user.biography())
                .param("city", user.city().strip())
                .param("hash", passwordHash)
                .query(Long.class)
                .single();
    }

    /** The profile with this id, if any. */
    public Optional<UserProfile> findById(long id) {
        return jdbc.sql("SELECT " + PROFILE_COLUMNS + " FROM users WHERE id = :id")
                .param("id", id)
                .query(UserRepository::profile)
                .optional();
    }

    /** The stored password hash of this user, if the user exists. */
    public Optional<String> findPasswordHash(long id) {
        return jdbc.sql("SELECT password_hash FROM users WHERE id = :id")
                .param("id", id)
                .query(String.class)
                .optional();
    }

    /**
     * Users whose first name starts with {@code firstNamePrefix} and whose last name starts with
     * {@code lastNamePrefix}, both compared case-insensitively (PostgreSQL {@code lower()}), with
     * {@code %}, {@code _} and {@code \} taken literally; at most {@code limit} of them, in id order.
     *
     * <p>Two steps: the ids of the page come from {@code users_name_prefix_idx} alone (an
     * index-only scan: the index includes id and the names), then only those rows are read. A
     * broad prefix pair matches thousands of users, and reading every match from the table to keep
     * the first 100 was the cost of the search (docs/search-index.md).
     */
    public List<UserProfile> searchByNamePrefix(String firstNamePrefix, String lastNamePrefix, int limit) {
        return jdbc.sql(SEARCH_SQL)
                .param("first", LikePattern.startingWith(firstNamePrefix))
                .param("last", LikePattern.startingWith(lastNamePrefix))
                .param("limit", limit)
                .query(UserRepository::profile)
                .list();
    }

    /** The search statement; bin/bench-search runs the same text through pgbench. */
    static final String SEARCH_SQL = "SELECT " + PROFILE_COLUMNS + """
             FROM users
            WHERE id IN (SELECT id FROM users
                          WHERE lower(first_name) LIKE lower(:first) ESCAPE '\\'
                            AND lower(second_name) LIKE lower(:last) ESCAPE '\\'
                          ORDER BY id
                          LIMIT :limit)
            ORDER BY id""";

    private static UserProfile profile(ResultSet rs, int row) throws SQLException {
        return new UserProfile(Long.toString(rs.getLong("id")), rs.getString("first_name"),
                rs.getString("second_name"), rs.getObject("birthdate", java.time.LocalDate.class),
                rs.getString("biography"), rs.getString("city"));
    }
}
