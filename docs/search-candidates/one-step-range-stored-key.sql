-- The chosen statement on the stored keys (generated columns) instead of the expression index.
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE first_name_key ~>=~ (SELECT lower(:first))
   AND first_name_key ~<=~ (SELECT lower(:first) || repeat(chr(1114111), 200))
   AND second_name_key ~>=~ (SELECT lower(:last))
   AND second_name_key ~<=~ (SELECT lower(:last) || repeat(chr(1114111), 200))
 ORDER BY id
 LIMIT :limit
