-- One step, LIKE on the stored keys (generated columns): the recheck compares stored bytes, no
-- lower() per row. Custom plans.
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE first_name_key LIKE lower(:first || '%') ESCAPE '\'
   AND second_name_key LIKE lower(:last || '%') ESCAPE '\'
 ORDER BY id
 LIMIT :limit
