-- Stop early for broad prefixes: count the matches (index only, at most 5000); below that, the
-- chosen one-step range scan; at or above, walk users_id_key_idx in id order, filtering on the
-- stored keys, until the page is full (reads ~100/density index entries, no table), then fetch
-- those rows. Only one branch runs (one-time filters). Needs plan_cache_mode=force_generic_plan:
-- the unused branch's cost makes PostgreSQL keep planning per execution otherwise.
WITH matches AS (
    SELECT count(*) AS n
      FROM (SELECT FROM users
             WHERE first_name_key ~>=~ (SELECT lower(:first))
               AND first_name_key ~<=~ (SELECT lower(:first) || repeat(chr(1114111), 200))
               AND second_name_key ~>=~ (SELECT lower(:last))
               AND second_name_key ~<=~ (SELECT lower(:last) || repeat(chr(1114111), 200))
             LIMIT 5000) m)
(SELECT id, first_name, second_name, birthdate, biography, city
   FROM users
  WHERE first_name_key ~>=~ (SELECT lower(:first))
    AND first_name_key ~<=~ (SELECT lower(:first) || repeat(chr(1114111), 200))
    AND second_name_key ~>=~ (SELECT lower(:last))
    AND second_name_key ~<=~ (SELECT lower(:last) || repeat(chr(1114111), 200))
    AND (SELECT n FROM matches) < 5000
  ORDER BY id
  LIMIT :limit)
UNION ALL
(SELECT id, first_name, second_name, birthdate, biography, city
   FROM users
  WHERE id = ANY (ARRAY(SELECT id FROM users
                         WHERE starts_with(first_name_key, (SELECT lower(:first)))
                           AND starts_with(second_name_key, (SELECT lower(:last)))
                         ORDER BY id
                         LIMIT :limit))
    AND (SELECT n FROM matches) >= 5000)
ORDER BY id
