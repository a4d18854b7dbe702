-- The issue's reference, other semantics (case-sensitive, % and _ not escaped): one step on
-- users_ref_idx. Custom plans (LIKE with a parameter has no index condition in a generic plan).
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE first_name LIKE :first || '%' AND second_name LIKE :last || '%'
 ORDER BY id
 LIMIT :limit
