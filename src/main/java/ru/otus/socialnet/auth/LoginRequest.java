package ru.otus.socialnet.auth;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** Body of {@code POST /login}. */
public record LoginRequest(@NotBlank String id, @NotNull String password) {

    @Override
    public String toString() {
        return "LoginRequest[id=" + id + "]";
    }
}
