package ru.otus.socialnet.user;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A user's public profile, as {@code GET /user/get/{id}} and {@code /user/search} return it: the
 * row's values as the server sent them, written out as they are ({@link Utf8Text}).
 *
 * @param birthdate the date as PostgreSQL writes it, {@code yyyy-mm-dd}: the driver talks to the
 *                  server in the ISO date style only (pgjdbc refuses any other), and a birthdate
 *                  is from 1900 on ({@link Born}). Handed over as text, it is not turned into a
 *                  {@code LocalDate} (a calendar per result set in the driver) and back into the
 *                  same text by the JSON writer, for every row of every page.
 */
public record UserProfile(String id, @Schema(type = "string") Utf8Text firstName,
                          @Schema(type = "string") Utf8Text secondName,
                          @Schema(type = "string", format = "date") String birthdate,
                          @Schema(type = "string") Utf8Text biography, @Schema(type = "string") Utf8Text city) {
}
