package ru.otus.socialnet.user;

import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import ru.otus.socialnet.routing.nodes.RoutingMetrics;
import ru.otus.socialnet.routing.nodes.WriteRouter;
import ru.otus.socialnet.routing.transactions.CommitOutcomeUnknownException;
import ru.otus.socialnet.system.ApiError;
import ru.otus.socialnet.system.ApiException;

/**
 * Profiles. Reads are {@code @Transactional(readOnly = true)}: routed to a standby, and re-run on
 * another node when theirs fails under them. Registration stores each request exactly once, under
 * its {@link RegistrationKey}, in a read-write transaction on the primary.
 */
@Service
public class UserService {

    private final UserRepository users;
    private final PasswordEncoder passwords;
    private final SearchProperties search;
    private final RoutingMetrics metrics;
    private final WriteRouter writes;
    private final Duration resolveFor;

    public UserService(UserRepository users, PasswordEncoder passwords, SearchProperties search, RoutingMetrics metrics,
                       WriteRouter writes, @Value("${socialnet.registration.resolve-for:5s}") Duration resolveFor) {
        this.users = users;
        this.writes = writes;
        this.passwords = passwords;
        this.search = search;
        this.metrics = metrics;
        this.resolveFor = resolveFor;
    }

    /**
     * Stores a new user (password as a bcrypt hash only) and returns its id — or, for a key already
     * used with the same request, the id stored then.
     *
     * <p>When the COMMIT is cut off (its outcome unknown), the same insert-once runs again: the key's
     * unique index makes it find the first attempt's row if that committed, and store the user if it
     * did not — never both. While that cannot be found out (no primary, the first attempt still
     * holding the key), it is tried again for up to {@code socialnet.registration.resolve-for}; then
     * the client hears that the outcome is unknown, with the key to resend under.
     */
    public long register(RegistrationRequest request, RegistrationKey key) {
        RegistrationRequest user = request.normalized();
        // Hashing takes ~0.1 s of CPU (far more on a loaded machine): not for a write that cannot
        // happen, and outside the transaction, so no primary connection waits on it.
        writes.ensureWritable();
        String hash = passwords.encode(user.password());
        long deadline = System.nanoTime() + resolveFor.toNanos();
        boolean outcomeUnknown = false;
        while (true) {
            try {
                StoredRegistration stored = users.insertOnce(user, hash, key.value());
                if (outcomeUnknown) {
                    metrics.ambiguousCommit(stored.created() ? "absent" : "stored");
                }
                return stored.created() || sameRequest(user, stored) ? stored.id() : reused(key);
            } catch (CommitOutcomeUnknownException e) {
                outcomeUnknown = true;
            } catch (PessimisticLockingFailureException e) {
                // Another transaction holds this key (lock timeout): the client's own earlier request,
                // still running — or our own cut-off commit, still waiting for a standby.
                if (!outcomeUnknown && key.fromClient()) {
                    throw new ApiException(ApiError.REQUEST_IN_PROGRESS, "a request with this " + RegistrationKey.HEADER
                            + " is still being processed; send it again later");
                }
                if (!outcomeUnknown) {
                    throw e;
                }
            } catch (DataAccessException e) {
                if (!outcomeUnknown) {
                    throw e; // nothing was stored: the usual 503
                }
            }
            if (System.nanoTime() - deadline > 0) {
                metrics.ambiguousCommit("unknown");
                throw new ApiException(ApiError.OUTCOME_UNKNOWN, "the registration may or may not have been stored: "
                        + "the database's answer to its commit never came. Send the same request again with the header "
                        + RegistrationKey.HEADER + ": " + key.value() + " to get its user_id; without that header a "
                        + "resend may store the user twice")
                        .with("idempotency_key", key.value());
            }
            pause();
        }
    }

    private boolean sameRequest(RegistrationRequest user, StoredRegistration stored) {
        return user.sameProfileAs(stored.stored()) && passwords.matches(user.password(), stored.passwordHash());
    }

    private static long reused(RegistrationKey key) {
        throw new ApiException(ApiError.IDEMPOTENCY_KEY_REUSED, RegistrationKey.HEADER + " " + key.value()
                + " was already used with a different request; nothing was stored");
    }

    @Transactional(readOnly = true)
    public UserProfile get(long id) {
        return users.findById(id)
                .orElseThrow(() -> new ApiException(ApiError.USER_NOT_FOUND, "user " + id + " not found"));
    }

    /** Prefix search; {@code limit} null means the default page size. */
    @Transactional(readOnly = true)
    public List<UserProfile> search(String firstNamePrefix, String lastNamePrefix, Integer limit) {
        int pageSize = limit == null ? search.defaultLimit() : limit;
        if (pageSize < 1 || pageSize > search.maxLimit()) {
            throw ApiException.invalid("limit: must be between 1 and " + search.maxLimit());
        }
        return users.searchByNamePrefix(firstNamePrefix, lastNamePrefix, pageSize);
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.OUTCOME_UNKNOWN, "interrupted while finding out whether the registration was stored");
        }
    }
}
