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

    /** The form that is stored (and compared when a request is resent): names and city trimmed, no null biography. */
    public RegistrationRequest normalized() {
        return new RegistrationRequest(firstName.strip(), secondName.strip(), birthdate,
                biography == null ? "" : biography, city.strip(), password);
    }

    /** Whether both describe the same profile (the password is compared against its hash elsewhere). */
    boolean sameProfileAs(RegistrationRequest other) {
        return firstName.equals(other.firstName) && secondName.equals(other.secondName)
                && birthdate.equals(other.birthdate) && biography.equals(other.biography) && city.equals(other.city);
    }

    @Override
    public String toString() {
        // Never let the password reach a log line through toString().
        return "RegistrationRequest[firstName=" + firstName + ", secondName=" + secondName + "]";
    }
}
