package ru.otus.socialnet.auth;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import ru.otus.socialnet.user.CleanText;
import ru.otus.socialnet.user.UnicodeText;

/**
 * Body of {@code POST /login}. The id is parsed by {@code UserId} (ASCII digits only); the
 * password must be well-formed text: an unpaired surrogate would reach bcrypt as {@code ?} and
 * match another password.
 */
public record LoginRequest(@NotBlank String id, @NotNull @CleanText(UnicodeText.Kind.SECRET) String password) {

    @Override
    public String toString() {
        return "LoginRequest[id=" + id + "]";
    }
}
