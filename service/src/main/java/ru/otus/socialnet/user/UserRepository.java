package ru.otus.socialnet.user;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.namedparam.AbstractSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

import ru.otus.socialnet.routing.ReadOnPrimary;

/** The {@code users} table. Every statement is parameterised. */
@Repository
public class UserRepository {

    static final String PROFILE_COLUMNS = "id, first_name, second_name, birthdate, biography, city";

    private final JdbcClient jdbc;

    public UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores the user under {@code registrationKey} unless a user with that key is already stored,
     * in one transaction on the primary. The password arrives already hashed, the fields normalised.
     *
     * <p>Exactly once: the key's unique index decides atomically. A concurrent transaction holding
     * the same key makes this one wait (up to the write lock timeout) for its outcome. When the key
     * is taken, the stored registration is returned for the caller to compare — read through a
     * no-op UPDATE of the key, because a transaction that writes WAL waits, in quorum mode, at its
     * commit for a standby: a registration found here (perhaps stored by a commit that was cut off
     * while waiting for a standby) is on a standby before anyone is told it is stored. (A plain
     * read, even one holding a transaction id, commits without waiting.)
     */
    @Transactional
    public StoredRegistration insertOnce(RegistrationRequest user, String passwordHash, String registrationKey) {
        Optional<Long> created = jdbc.sql("""
                        INSERT INTO users (first_name, second_name, birthdate, biography, city, password_hash,
                                           registration_key)
                        VALUES (:first, :second, :birthdate, :biography, :city, :hash, :key)
                        ON CONFLICT (registration_key) WHERE registration_key IS NOT NULL DO NOTHING
                        RETURNING id""")
                .param("first", user.firstName())
                .param("second", user.secondName())
                .param("birthdate", user.birthdate())
                .param("biography", user.biography())
                .param("city", user.city())
                .param("hash", passwordHash)
                .param("key", registrationKey)
                .query(Long.class)
                .optional();
        if (created.isPresent()) {
            return new StoredRegistration(created.get(), true, null, null);
        }
        return jdbc.sql("UPDATE users SET registration_key = registration_key WHERE registration_key = :key"
                        + " RETURNING " + PROFILE_COLUMNS + ", password_hash")
                .param("key", registrationKey)
                .query((rs, row) -> new StoredRegistration(rs.getLong("id"), false,
                        new RegistrationRequest(rs.getString("first_name"), rs.getString("second_name"),
                                rs.getObject("birthdate", LocalDate.class), rs.getString("biography"),
                                rs.getString("city"), null),
                        rs.getString("password_hash")))
                .single();
    }

    /** The profile with this id, if any. */
    public Optional<UserProfile> findById(long id) {
        return jdbc.sql(FIND_BY_ID_SQL)
                .param(id)
                .query(UserRepository::profile)
                .optional();
    }

    /**
     * The stored password hash of this user, if the user exists. On the primary on purpose, so a
     * user who has just registered can log in at once, before any standby has the row.
     */
    @ReadOnPrimary
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
        return jdbc.sql(SEARCH.sql())
                .params(SEARCH.values(Map.of("first", firstNamePrefix, "last", lastNamePrefix, "limit", limit)))
                .query(UserRepository::profile)
                .list();
    }

    private static final String FIND_BY_ID_SQL = "SELECT " + PROFILE_COLUMNS + " FROM users WHERE id = ?";

    /**
     * The search statement: one file for the service and bin/bench-search, which runs it through
     * pgbench. Its comment lines stay in the file; pgbench does not send them either.
     */
    static final String SEARCH_SQL = statement("search-by-name-prefix.sql");
    private static final Positional SEARCH = Positional.of(SEARCH_SQL);

    /**
     * A statement with named parameters ({@code :first}), made positional once: JdbcClient then hands
     * the driver the same string on every call, where with named parameters Spring parses and
     * rewrites it on every call (1.5 % of a search's CPU in the profile).
     *
     * @param names the parameter names in the order of their placeholders (a name used twice, twice)
     */
    record Positional(String sql, List<String> names) {

        static Positional of(String named) {
            ParsedSql parsed = NamedParameterUtils.parseSqlStatement(named);
            // Spring's own order of the placeholders' values, asked with each name as its value.
            Object[] names = NamedParameterUtils.buildValueArray(parsed, new AbstractSqlParameterSource() {
                @Override
                public boolean hasValue(String paramName) {
                    return true;
                }

                @Override
                public Object getValue(String paramName) {
                    return paramName;
                }
            }, null);
            return new Positional(NamedParameterUtils.substituteNamedParameters(parsed, null),
                    Arrays.stream(names).map(String.class::cast).toList());
        }

        /** The values, in the placeholders' order. */
        Object[] values(Map<String, ?> byName) {
            Object[] values = new Object[names.size()];
            for (int i = 0; i < values.length; i++) {
                if (!byName.containsKey(names.get(i))) {
                    throw new IllegalArgumentException("no value for :" + names.get(i));
                }
                values[i] = byName.get(names.get(i));
            }
            return values;
        }
    }

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

    /**
     * A row of {@link #PROFILE_COLUMNS}, by position (a lookup by name costs a map access per column
     * and row), every value as the server's text: the id's decimal digits, the ISO date and the
     * names' UTF-8 are what the response carries (see {@link UserProfile}), so nothing is parsed or
     * decoded only to be printed or encoded again.
     */
    private static UserProfile profile(ResultSet rs, int row) throws SQLException {
        return new UserProfile(rs.getString(1), Utf8Text.of(rs.getBytes(2)), Utf8Text.of(rs.getBytes(3)),
                rs.getString(4), Utf8Text.of(rs.getBytes(5)), Utf8Text.of(rs.getBytes(6)));
    }
}
