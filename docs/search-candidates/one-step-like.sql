-- The same predicate in one step (the issue's second figure). Custom plans; every matching row
-- is read from the table and its lower(first_name), lower(second_name) recomputed for the LIKE.
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE lower(first_name) LIKE lower(:first || '%') ESCAPE '\'
   AND lower(second_name) LIKE lower(:last || '%') ESCAPE '\'
 ORDER BY id
 LIMIT :limit
