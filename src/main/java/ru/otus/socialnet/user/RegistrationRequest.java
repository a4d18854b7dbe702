package ru.otus.socialnet.user;

import java.time.LocalDate;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /user/register}. Limits match the table's CHECK constraints. */
public record RegistrationRequest(
        @NotBlank @Size(max = 100) String firstName,
        @NotBlank @Size(max = 100) String secondName,
        @NotNull @Past @Born LocalDate birthdate,
        @Size(max = 4000) String biography,
        @NotBlank @Size(max = 100) String city,
        @NotNull @ValidPassword String password) {

    @Override
    public String toString() {
        // Never let the password reach a log line through toString().
        return "RegistrationRequest[firstName=" + firstName + ", secondName=" + secondName + "]";
    }
}
