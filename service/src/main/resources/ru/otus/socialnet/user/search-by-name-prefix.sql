-- GET /user/search: the users whose first and last names start with :first and :last, compared
-- case-insensitively (lower() on both sides, Cyrillic included; every character literal), in id
-- order, at most :limit of them. Run by UserRepository#searchByNamePrefix; bin/bench-search runs
-- this same file through pgbench. Why it is written this way: docs/search-index.md.
--
-- "key starts with p" is the byte range p <= key <= p || 200 x U+10FFFF (~>=~ and ~<=~ compare
-- bytes, i.e. code points, like users_name_prefix_idx's text_pattern_ops): exact for every key of
-- up to 200 characters, and a name has at most 100 (V1's CHECK), which lower() at most doubles.
-- The index answers the whole condition: no lower() per row, no recheck of a LIKE.
--
-- Each bound is a scalar sub-select, so the planner never sees its value: the plan is the same
-- for every prefix, PostgreSQL keeps one generic plan per prepared statement instead of planning
-- each execution anew, and pgjdbc's server-prepared statement is planned once per connection.
-- The columns are UserRepository's PROFILE_COLUMNS, in that order (rows are read by position).
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE lower(first_name) ~>=~ (SELECT lower(:first))
   AND lower(first_name) ~<=~ (SELECT lower(:first) || repeat(chr(1114111), 200))
   AND lower(second_name) ~>=~ (SELECT lower(:last))
   AND lower(second_name) ~<=~ (SELECT lower(:last) || repeat(chr(1114111), 200))
 ORDER BY id
 LIMIT :limit
