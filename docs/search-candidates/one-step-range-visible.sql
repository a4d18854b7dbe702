-- The chosen byte ranges, but with the values visible to the planner: PostgreSQL makes a custom
-- plan per execution whenever its estimate for one is lower than the generic plan's.
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE lower(first_name) ~>=~ lower(:first)
   AND lower(first_name) ~<=~ (lower(:first) || repeat(chr(1114111), 200))
   AND lower(second_name) ~>=~ lower(:last)
   AND lower(second_name) ~<=~ (lower(:last) || repeat(chr(1114111), 200))
 ORDER BY id
 LIMIT :limit
