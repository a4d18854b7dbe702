-- 1. The search index back to its plain composite key (V1's), without V4's INCLUDE columns
-- (docs/search-index.md, "One step, generic plan"). The search now reads the index by byte ranges
-- and only the rows of the page from the table; a key-only btree is deduplicated (one entry per
-- distinct pair of names with a list of rows): 13 MB instead of 94 MB for 1M users, and a range
-- scan reads a fraction of the tuples the INCLUDE version had to. Built under a new name first, so
-- reads go on during the build (CREATE INDEX blocks only writes); the old one is dropped and the
-- new one takes its name (tools and tests look it up by name) just before commit.
CREATE INDEX users_name_prefix_idx_new
    ON users (lower(first_name) text_pattern_ops, lower(second_name) text_pattern_ops);
DROP INDEX users_name_prefix_idx;
ALTER INDEX users_name_prefix_idx_new RENAME TO users_name_prefix_idx;

-- 2. Which name distribution the seeder (bin/seed --distribution) loaded: chunks of seed 42 with
-- Zipf-like names are not chunks of seed 42 with uniform ones, and the seeder refuses to mix the two
-- in one database. Rows loaded before this column existed were Zipf (the only shape there was).
ALTER TABLE seed_progress
    ADD COLUMN distribution text NOT NULL DEFAULT 'zipf' CHECK (distribution IN ('zipf', 'uniform'));
