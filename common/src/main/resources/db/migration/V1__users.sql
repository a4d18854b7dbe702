-- Profiles of the social network. Ids are a bigint identity: compact, and in insertion order,
-- which is the order /user/search returns.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name    text        NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 100),
    second_name   text        NOT NULL CHECK (char_length(second_name) BETWEEN 1 AND 100),
    birthdate     date        NOT NULL,
    biography     text        NOT NULL DEFAULT '' CHECK (char_length(biography) <= 4000),
    city          text        NOT NULL CHECK (char_length(city) BETWEEN 1 AND 100),
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Prefix search, case-insensitive, on (first name, last name). Chosen by EXPLAIN (ANALYZE, BUFFERS)
-- on 1M rows (docs/search-index.md): a composite btree on the lower-cased names with
-- text_pattern_ops turns "lower(first_name) LIKE 'ив%'" into an index range scan whatever the
-- database collation is, and checks the last-name prefix inside the same index.
CREATE INDEX users_name_prefix_idx
    ON users (lower(first_name) text_pattern_ops, lower(second_name) text_pattern_ops);
