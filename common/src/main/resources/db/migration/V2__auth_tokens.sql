-- Session tokens from POST /login. Only a SHA-256 of each token is stored: a copy of this table
-- (a backup, a replica) does not let anyone log in.
CREATE TABLE auth_tokens (
    token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);
CREATE INDEX auth_tokens_expiry_idx ON auth_tokens (expires_at);
