-- Two steps with the chosen ranges: the page's ids from an index-only scan (V4's covering index
-- or users_key_id_idx), then those rows by primary key. One generic plan.
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE id = ANY (ARRAY(SELECT id FROM users
                        WHERE lower(first_name) ~>=~ (SELECT lower(:first))
                          AND lower(first_name) ~<=~ (SELECT lower(:first) || repeat(chr(1114111), 200))
                          AND lower(second_name) ~>=~ (SELECT lower(:last))
                          AND lower(second_name) ~<=~ (SELECT lower(:last) || repeat(chr(1114111), 200))
                        ORDER BY id
                        LIMIT :limit))
 ORDER BY id
