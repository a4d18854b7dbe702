package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;

class ChaosOptionsTest {

    @Test
    void theIssuesCommandLine() {
        ChaosOptions o = ChaosOptions.parse("--mode async --runs 20 --duration 120 --seed 7".split(" "));
        assertThat(o.mode()).isEqualTo("async");
        assertThat(o.runs()).isEqualTo(20);
        assertThat(o.duration().toSeconds()).isEqualTo(120);
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.network()).isTrue();
        assertThat(o.faults()).isEqualTo(FaultKind.all());
        assertThat(o.out().toString()).contains("async-seed7");
    }

    @Test
    void theCommandLineItPrintsRepeatsTheCampaign() {
        ChaosOptions o = ChaosOptions.parse("--mode quorum --runs 3 --duration 40 --seed 9 --faults pause,kill-primary --sessions 2".split(" "));
        ChaosOptions again = ChaosOptions.parse(o.commandLine().replaceFirst("^bin/chaos ", "").split(" "));
        assertThat(again.faults()).isEqualTo(o.faults());
        assertThat(again.seed()).isEqualTo(9);
        assertThat(again.sessions()).isEqualTo(2);
        assertThat(again.commandLine()).isEqualTo(o.commandLine());
    }

    @Test
    void twoServiceInstancesOnConsecutivePortsByDefaultAndOneOnRequest() {
        ChaosOptions o = ChaosOptions.parse("--seed 1 --port 21095".split(" "));
        assertThat(o.instances()).isEqualTo(2);
        assertThat(o.services()).extracting(URI::toString).containsExactly("http://127.0.0.1:21095", "http://127.0.0.1:21096");
        ChaosOptions one = ChaosOptions.parse("--seed 1 --instances 1".split(" "));
        assertThat(one.services()).extracting(URI::toString).containsExactly("http://127.0.0.1:18095");
        assertThat(one.commandLine()).contains("--instances 1");
        assertThatThrownBy(() -> ChaosOptions.parse("--instances 0".split(" "))).hasMessageContaining("--instances");
    }

    @Test
    void withoutTheNetworkTheMenuHasNoNetworkFaultsAndAskingForOneIsRefused() {
        ChaosOptions o = ChaosOptions.parse("--no-network --seed 1".split(" "));
        assertThat(o.faults()).noneMatch(k -> k.network).contains(FaultKind.KILL_PRIMARY, FaultKind.PAUSE);
        assertThat(o.commandLine()).endsWith("--no-network").doesNotContain("--faults");
        assertThatThrownBy(() -> ChaosOptions.parse("--no-network --faults partition-replica".split(" ")))
                .hasMessageContaining("partition-replica");
    }

    @Test
    void nonsenseIsRefusedWithTheReason() {
        assertThatThrownBy(() -> ChaosOptions.parse("--mode sync".split(" "))).hasMessageContaining("quorum or async");
        assertThatThrownBy(() -> ChaosOptions.parse("--duration 5".split(" "))).hasMessageContaining("at least 20 s");
        assertThatThrownBy(() -> ChaosOptions.parse("--runs 0".split(" "))).hasMessageContaining("--runs");
        assertThatThrownBy(() -> ChaosOptions.parse("--runs".split(" "))).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ChaosOptions.parse("--frobnicate 1".split(" "))).hasMessageContaining("unknown argument");
    }
}
