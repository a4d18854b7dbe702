package ru.otus.socialnet.user;

import static ru.otus.socialnet.user.UnicodeText.Kind.LINE;
import static ru.otus.socialnet.user.UnicodeText.Kind.PROSE;
import static ru.otus.socialnet.user.UnicodeText.Kind.SECRET;

import java.time.LocalDate;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /user/register}. Limits match the table's CHECK constraints.
 *
 * <p>Names, city and biography are put into their stored form ({@link UnicodeText}: NFC, names
 * trimmed of spaces and invisible characters) as the request is built, so validation checks, and
 * the repository stores, exactly what will be in the database. The password is kept as typed.
 */
public record RegistrationRequest(
        @NotBlank @Size(max = 100) @CleanText(LINE) String firstName,
        @NotBlank @Size(max = 100) @CleanText(LINE) String secondName,
        @NotNull @Past @Born LocalDate birthdate,
        @Size(max = 4000) @CleanText(PROSE) String biography,
        @NotBlank @Size(max = 100) @CleanText(LINE) String city,
        @NotNull @ValidPassword @CleanText(SECRET) String password) {

    public RegistrationRequest {
        firstName = UnicodeText.normalizeLine(firstName);
        secondName = UnicodeText.normalizeLine(secondName);
        biography = UnicodeText.normalize(biography);
        city = UnicodeText.normalizeLine(city);
    }

    /**
     * The form that is stored (and compared when a request is resent): the text is normalised
     * already (the constructor); a missing biography is stored empty.
     */
    public RegistrationRequest normalized() {
        return biography != null ? this : new RegistrationRequest(firstName, secondName, birthdate, "", city, password);
    }

    /** Whether both describe the same profile (the password is compared against its hash elsewhere). */
    boolean sameProfileAs(RegistrationRequest other) {
        return firstName.equals(other.firstName) && secondName.equals(other.secondName)
                && birthdate.equals(other.birthdate) && biography.equals(other.biography) && city.equals(other.city);
    }

    @Override
    public String toString() {
        // Neither the password nor personal data may reach a log line through toString().
        return "RegistrationRequest[personal data not shown]";
    }
}
