package ru.otus.socialnet.user;

import java.time.LocalDate;

/** A user's public profile, as {@code GET /user/get/{id}} and {@code /user/search} return it. */
public record UserProfile(String id, String firstName, String secondName, LocalDate birthdate,
                          String biography, String city) {
}
