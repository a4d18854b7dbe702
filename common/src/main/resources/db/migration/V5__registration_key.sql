-- Exactly-once registration. Every registration stores a unique key with its row: the client's
-- Idempotency-Key, or one the service makes per request. When a COMMIT is cut off and its outcome
-- is unknown, the service looks the key up instead of inserting blindly again, and a client that
-- resends with the same key gets the same user. Seeded users have none (NULL): the partial index
-- holds only the keyed rows.
ALTER TABLE users ADD COLUMN registration_key text
    CHECK (char_length(registration_key) BETWEEN 1 AND 255);
CREATE UNIQUE INDEX users_registration_key_idx ON users (registration_key) WHERE registration_key IS NOT NULL;
