package ru.otus.socialnet.seed;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Strings drawn with fixed weights. Picking is a binary search over the cumulative weights, so a
 * million draws cost nothing next to the COPY they feed.
 */
final class WeightedPool {

    private final String[] values;
    private final double[] cumulative;

    private WeightedPool(List<String> values, double[] weights) {
        if (values.isEmpty() || values.size() != weights.length) {
            throw new IllegalArgumentException("need one weight per value, and at least one value");
        }
        this.values = values.toArray(String[]::new);
        this.cumulative = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
        for (int i = 0; i < cumulative.length; i++) {
            cumulative[i] /= sum;
        }
    }

    static WeightedPool uniform(List<String> values) {
        double[] weights = new double[values.size()];
        Arrays.fill(weights, 1);
        return new WeightedPool(values, weights);
    }

    /**
     * Zipf weights by position (1/rank^exponent): for lists ordered by frequency, such as
     * Datafaker's Russian surnames (Смирнов, Иванов, Кузнецов, ...) and cities (Москва first),
     * the head is common and the tail rare, as in a real population.
     */
    static WeightedPool zipf(List<String> valuesByFrequency, double exponent) {
        double[] weights = new double[valuesByFrequency.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = 1 / Math.pow(i + 1, exponent);
        }
        return new WeightedPool(valuesByFrequency, weights);
    }

    String pick(SplittableRandom random) {
        int i = Arrays.binarySearch(cumulative, random.nextDouble());
        return values[Math.min(i < 0 ? -i - 1 : i, values.length - 1)];
    }

    int size() {
        return values.length;
    }
}
