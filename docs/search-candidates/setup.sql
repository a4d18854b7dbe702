-- The extra structures the candidate statements of docs/search-index.md need, on a database seeded
-- by bin/bench-search (schema V6). Run as the owner on the primary, e.g.
--   psql -d socialnet_cand -f docs/search-candidates/setup.sql
-- Not for a database the service uses: it rewrites the table (two generated columns) and adds
-- five indexes. The service's own index, users_name_prefix_idx, stays as V6 made it.
SET maintenance_work_mem = '256MB';

-- the issue's case-sensitive reference: a plain (first_name, second_name) index
CREATE INDEX IF NOT EXISTS users_ref_idx ON users (first_name text_pattern_ops, second_name text_pattern_ops);

-- V4's covering index, for the statement of main before issue 13 (two steps, index-only first)
CREATE INDEX IF NOT EXISTS users_name_prefix_v4_idx
    ON users (lower(first_name) text_pattern_ops, lower(second_name) text_pattern_ops)
    INCLUDE (id, first_name, second_name);

-- a stored normalised search key instead of the expression
ALTER TABLE users
    ADD COLUMN IF NOT EXISTS first_name_key text GENERATED ALWAYS AS (lower(first_name)) STORED,
    ADD COLUMN IF NOT EXISTS second_name_key text GENERATED ALWAYS AS (lower(second_name)) STORED;
CREATE INDEX IF NOT EXISTS users_key_idx ON users (first_name_key text_pattern_ops, second_name_key text_pattern_ops);
CREATE INDEX IF NOT EXISTS users_key_id_idx
    ON users (first_name_key text_pattern_ops, second_name_key text_pattern_ops) INCLUDE (id);
-- id order with the keys at hand: ORDER BY id LIMIT n can stop early, reading the index only
CREATE INDEX IF NOT EXISTS users_id_key_idx ON users (id) INCLUDE (first_name_key, second_name_key);

VACUUM (ANALYZE) users;
