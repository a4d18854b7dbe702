-- main before issue 13 (V4): ids from the covering index (index-only), then the rows. The service
-- bound LikePattern.startingWith(prefix); here the pattern is built from the prefix (the
-- benchmark's prefixes hold no %, _ or \). Custom plans.
SELECT id, first_name, second_name, birthdate, biography, city
  FROM users
 WHERE id IN (SELECT id FROM users
               WHERE lower(first_name) LIKE lower(:first || '%') ESCAPE '\'
                 AND lower(second_name) LIKE lower(:last || '%') ESCAPE '\'
               ORDER BY id
               LIMIT :limit)
 ORDER BY id
