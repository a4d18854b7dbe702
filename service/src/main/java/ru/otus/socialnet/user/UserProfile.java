package ru.otus.socialnet.user;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A user's public profile, as {@code GET /user/get/{id}} and {@code /user/search} return it.
 *
 * @param birthdate the date as PostgreSQL writes it, {@code yyyy-mm-dd}: the driver talks to the
 *                  server in the ISO date style only (pgjdbc refuses any other), and a birthdate
 *                  is from 1900 on ({@link Born}). Handed over as text, it is not turned into a
 *                  {@code LocalDate} (a calendar per result set in the driver) and back into the
 *                  same text by the JSON writer, for every row of every page.
 */
public record UserProfile(String id, String firstName, String secondName,
                          @Schema(type = "string", format = "date") String birthdate,
                          String biography, String city) {
}
