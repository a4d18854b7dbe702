package ru.otus.socialnet.user;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code users} table. Every statement is parameterised. */
@Repository
public class UserRepository {

    static final String PROFILE_COLUMNS = "id, first_name, second_name, birthdate, biography, city";

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
     * {@code lastNamePrefix}, both compared case-insensitively (PostgreSQL {@code lower()}), every
     * character literal; at most {@code limit} of them, in id order. The statement and why it is
     * written as it is: {@code search-by-name-prefix.sql} next to this class, docs/search-index.md.
     */
    public List<UserProfile> searchByNamePrefix(String firstNamePrefix, String lastNamePrefix, int limit) {
        return jdbc.sql(SEARCH_SQL)
                .param("first", firstNamePrefix)
                .param("last", lastNamePrefix)
                .param("limit", limit)
                .query(UserRepository::profile)
                .list();
    }

    /**
     * The search statement: one file for the service and bin/bench-search, which runs it through
     * pgbench. Its comment lines stay in the file; pgbench does not send them either.
     */
    static final String SEARCH_SQL = statement("search-by-name-prefix.sql");

    private static String statement(String resource) {
        try (InputStream in = UserRepository.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " next to " + UserRepository.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.stripLeading().startsWith("--"))
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A row of {@link #PROFILE_COLUMNS}, by position (a lookup by name costs a map access per column and row). */
    private static UserProfile profile(ResultSet rs, int row) throws SQLException {
        return new UserProfile(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3),
                rs.getObject(4, LocalDate.class), rs.getString(5), rs.getString(6));
    }
}
