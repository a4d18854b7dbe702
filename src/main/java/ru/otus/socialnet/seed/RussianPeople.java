package ru.otus.socialnet.seed;

import java.util.List;
import java.util.Locale;
import java.util.Random;

import net.datafaker.Faker;

/**
 * The vocabulary of seeded users, taken once from Datafaker's {@code ru} locale: male and female
 * first names and surnames (surnames agree with the gender: Иванов / Иванова), cities, and the
 * words biographies are built from. Calling Datafaker per row would be far too slow for 1M rows
 * in seconds, so rows are combined from these lists instead (see {@link UserRowGenerator}).
 */
final class RussianPeople {

    // Surnames and cities come in frequency order in the locale file; first names alphabetically,
    // so they get a flatter curve.
    private static final double SURNAME_EXPONENT = 0.9;
    private static final double CITY_EXPONENT = 1.1;
    private static final double FIRST_NAME_EXPONENT = 0.0;

    final WeightedPool maleFirst;
    final WeightedPool femaleFirst;
    final WeightedPool maleLast;
    final WeightedPool femaleLast;
    final WeightedPool city;
    final WeightedPool interest;
    final WeightedPool colour;
    final WeightedPool street;

    private RussianPeople(Faker faker) {
        maleFirst = pool(faker, "name.male_first_name", FIRST_NAME_EXPONENT);
        femaleFirst = pool(faker, "name.female_first_name", FIRST_NAME_EXPONENT);
        maleLast = pool(faker, "name.male_last_name", SURNAME_EXPONENT);
        femaleLast = pool(faker, "name.female_last_name", SURNAME_EXPONENT);
        city = pool(faker, "address.city_name", CITY_EXPONENT);
        interest = pool(faker, "commerce.department", 0.5);
        colour = pool(faker, "commerce.color", 0.5);
        street = pool(faker, "address.street_title", 0.5);
    }

    static RussianPeople load() {
        // The lists are read, not sampled, so the Random's seed does not matter; fixed anyway.
        return new RussianPeople(new Faker(Locale.forLanguageTag("ru"), new Random(0)));
    }

    private static WeightedPool pool(Faker faker, String key, double exponent) {
        List<String> values = faker.fakeValuesService().fetchObject(key, faker.getContext());
        if (values == null || values.isEmpty()) {
            throw new IllegalStateException("Datafaker ru locale has no list '" + key + "'");
        }
        return exponent == 0 ? WeightedPool.uniform(values) : WeightedPool.zipf(values, exponent);
    }
}
