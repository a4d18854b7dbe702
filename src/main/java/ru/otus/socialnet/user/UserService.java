package ru.otus.socialnet.user;

import java.util.List;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

import ru.otus.socialnet.routing.ReadTransactions;
import ru.otus.socialnet.routing.WriteTransactions;
import ru.otus.socialnet.system.ApiError;
import ru.otus.socialnet.system.ApiException;

/**
 * Profiles. Reads are read-only transactions ({@link ReadTransactions}: sent to a replica, retried
 * on another node when that replica dies under them); registration is a read-write transaction on
 * the primary ({@link WriteTransactions}: run again when its connection was dead before the commit).
 */
@Service
public class UserService {

    private final UserRepository users;
    private final PasswordEncoder passwords;
    private final SearchProperties search;
    private final ReadTransactions reads;
    private final WriteTransactions writes;

    public UserService(UserRepository users, PasswordEncoder passwords, SearchProperties search,
                       ReadTransactions reads, WriteTransactions writes) {
        this.users = users;
        this.passwords = passwords;
        this.search = search;
        this.reads = reads;
        this.writes = writes;
    }

    /** Stores a new user (password as a bcrypt hash only) and returns its id. */
    public long register(RegistrationRequest request) {
        // Hashing takes ~0.1 s of CPU: outside the transaction, so no primary connection waits on it.
        String hash = passwords.encode(request.password());
        return writes.run(() -> users.insert(request, hash));
    }

    public UserProfile get(long id) {
        return reads.run(() -> users.findById(id))
                .orElseThrow(() -> new ApiException(ApiError.USER_NOT_FOUND, "user " + id + " not found"));
    }

    /** Prefix search; {@code limit} null means the default page size. */
    public List<UserProfile> search(String firstNamePrefix, String lastNamePrefix, Integer limit) {
        int pageSize = limit == null ? search.defaultLimit() : limit;
        if (pageSize < 1 || pageSize > search.maxLimit()) {
            throw ApiException.invalid("limit: must be between 1 and " + search.maxLimit());
        }
        return reads.run(() -> users.searchByNamePrefix(firstNamePrefix, lastNamePrefix, pageSize));
    }
}
