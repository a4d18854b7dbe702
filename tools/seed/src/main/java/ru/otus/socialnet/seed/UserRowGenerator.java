package ru.otus.socialnet.seed;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * Row {@code i} of seed {@code s} as a line of COPY text. Each row has its own random stream,
 * derived from (seed, row number) alone, so any chunk can be (re)generated on its own, in any
 * order, by any worker, and always comes out the same.
 */
final class UserRowGenerator {

    private static final long FIRST_BIRTHDAY = LocalDate.of(1950, 1, 1).toEpochDay();
    private static final long LAST_BIRTHDAY = LocalDate.of(2008, 12, 31).toEpochDay();
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final RussianPeople people;
    private final long seed;
    private final String passwordHash;

    UserRowGenerator(RussianPeople people, long seed, String passwordHash) {
        this.people = people;
        this.seed = seed;
        this.passwordHash = passwordHash;
    }

    /** Appends row {@code row} (columns of {@link #COLUMNS}) and its newline to {@code out}. */
    void appendRow(long row, StringBuilder out) {
        SplittableRandom r = new SplittableRandom(seed * GOLDEN_GAMMA + row);
        boolean male = r.nextBoolean();
        String first = (male ? people.maleFirst : people.femaleFirst).pick(r);
        String last = (male ? people.maleLast : people.femaleLast).pick(r);
        String city = people.city.pick(r);
        LocalDate birthdate = LocalDate.ofEpochDay(r.nextLong(FIRST_BIRTHDAY, LAST_BIRTHDAY + 1));
        out.append(first).append('\t').append(last).append('\t').append(birthdate).append('\t');
        appendBiography(r, city, out);
        out.append('\t').append(city).append('\t').append(passwordHash).append('\n');
    }

    /** The COPY column list matching {@link #appendRow}. */
    static final String COLUMNS = "first_name, second_name, birthdate, biography, city, password_hash";

    // Vocabulary from the locale lists only: no tab, newline or backslash can reach COPY text.
    private void appendBiography(SplittableRandom r, String city, StringBuilder out) {
        out.append("Живу в городе ").append(city).append(", улица ").append(people.street.pick(r))
                .append(". Интересы: ").append(people.interest.pick(r).toLowerCase());
        if (r.nextBoolean()) {
            out.append(", ").append(people.interest.pick(r).toLowerCase());
        }
        out.append(". Любимый цвет: ").append(people.colour.pick(r)).append('.');
    }
}
