package ru.otus.socialnet.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SeedOptionsTest {

    @Test
    void zipfIsTheDefaultDistribution() {
        assertThat(SeedOptions.parse(new String[0], Map.of()).distribution()).isEqualTo(Distribution.ZIPF);
    }

    @Test
    void distributionIsChosenByName() {
        assertThat(SeedOptions.parse(new String[] {"--distribution", "uniform"}, Map.of()).distribution())
                .isEqualTo(Distribution.UNIFORM);
        assertThat(SeedOptions.parse(new String[] {"--distribution", "zipf"}, Map.of()).distribution())
                .isEqualTo(Distribution.ZIPF);
    }

    @Test
    void anUnknownDistributionIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> SeedOptions.parse(new String[] {"--distribution", "normal"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zipf or uniform");
        assertThatThrownBy(() -> SeedOptions.parse(new String[] {"--distribution"}, Map.of()))
                .hasMessageContaining("needs a value");
    }
}
