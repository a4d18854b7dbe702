-- The search index, rebuilt to cover the search's first step (docs/search-index.md, "Index-only
-- search"). INCLUDE (id, first_name, second_name) lets the planner answer "which ids match, in id
-- order, the first N" from the index alone (an index-only scan: the names are included because
-- the planner wants the columns under lower(...) available); only the N rows of the page are then
-- read from the table, instead of every matching row. Same name, so tools that look it up keep
-- working.
DROP INDEX users_name_prefix_idx;
CREATE INDEX users_name_prefix_idx
    ON users (lower(first_name) text_pattern_ops, lower(second_name) text_pattern_ops)
    INCLUDE (id, first_name, second_name);
