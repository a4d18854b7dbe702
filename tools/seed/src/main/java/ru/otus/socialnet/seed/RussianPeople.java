package ru.otus.socialnet.seed;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

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
    private static final double UNIFORM = 0.0;

    final WeightedPool maleFirst;
    final WeightedPool femaleFirst;
    final WeightedPool maleLast;
    final WeightedPool femaleLast;
    final WeightedPool city;
    final WeightedPool interest;
    final WeightedPool colour;
    final WeightedPool street;

    private RussianPeople(Faker ru, Faker uk, Distribution names) {
        if (names == Distribution.UNIFORM) {
            // ru alone has 108 first names; with the Ukrainian ones (Богдан, Оксана, Ярослава...)
            // there are 466, about the first-name variety of a real data set.
            maleFirst = WeightedPool.uniform(union(list(ru, "name.male_first_name"), list(uk, "name.male_first_name")));
            femaleFirst = WeightedPool.uniform(
                    union(list(ru, "name.female_first_name"), list(uk, "name.female_first_name")));
            maleLast = WeightedPool.uniform(list(ru, "name.male_last_name"));
            femaleLast = WeightedPool.uniform(list(ru, "name.female_last_name"));
        } else {
            maleFirst = pool(ru, "name.male_first_name", FIRST_NAME_EXPONENT);
            femaleFirst = pool(ru, "name.female_first_name", FIRST_NAME_EXPONENT);
            maleLast = pool(ru, "name.male_last_name", SURNAME_EXPONENT);
            femaleLast = pool(ru, "name.female_last_name", SURNAME_EXPONENT);
        }
        city = pool(ru, "address.city_name", CITY_EXPONENT);
        interest = pool(ru, "commerce.department", 0.5);
        colour = pool(ru, "commerce.color", 0.5);
        street = pool(ru, "address.street_title", 0.5);
    }

    static RussianPeople load(Distribution names) {
        // The lists are read, not sampled, so the Random's seed does not matter; fixed anyway.
        return new RussianPeople(faker("ru"), faker("uk"), names);
    }

    private static Faker faker(String locale) {
        return new Faker(Locale.forLanguageTag(locale), new Random(0));
    }

    private static WeightedPool pool(Faker faker, String key, double exponent) {
        List<String> values = list(faker, key);
        return exponent == UNIFORM ? WeightedPool.uniform(values) : WeightedPool.zipf(values, exponent);
    }

    private static List<String> list(Faker faker, String key) {
        List<String> values = faker.fakeValuesService().fetchObject(key, faker.getContext());
        if (values == null || values.isEmpty()) {
            throw new IllegalStateException("Datafaker locale " + faker.getContext().getLocale() + " has no list '"
                    + key + "'");
        }
        return values;
    }

    /** Both lists without repeats, in a fixed order (the first list's, then the new ones of the second). */
    private static List<String> union(List<String> a, List<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
