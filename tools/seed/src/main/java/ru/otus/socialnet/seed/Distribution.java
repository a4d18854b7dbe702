package ru.otus.socialnet.seed;

import java.util.Locale;

/**
 * How names are spread over the seeded users. A search plan that is right for one shape can be
 * wrong for the other (docs/search-index.md), so the benchmark measures both.
 */
enum Distribution {

    /**
     * The default, like a real population: surnames in the locale's frequency order with a
     * Zipf-like tail (Смирнов(а) the most common), 108 first names equally likely.
     */
    ZIPF,

    /**
     * A flat data set, like many imports: 466 first names (the {@code ru} and {@code uk} locales)
     * and 500 surnames, all equally likely; the surname still agrees with the gender.
     */
    UNIFORM;

    static Distribution parse(String name) {
        for (Distribution d : values()) {
            if (d.cliName().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("--distribution must be zipf or uniform, not '" + name + "'");
    }

    /** The name on the command line and in {@code seed_progress}. */
    String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
