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
        assertThat(o.engine()).isEqualTo(Engine.LOCAL);
        assertThat(o.faults()).isEqualTo(FaultKind.menu(Engine.LOCAL, true))
                .contains(FaultKind.STALE_PRIMARY, FaultKind.REPLAY_PAUSE, FaultKind.LOSSY_LINK, FaultKind.CUT_SERVICE)
                .doesNotContain(FaultKind.KILL_AGENT, FaultKind.DCS_LOSS);
        assertThat(o.clusterCommand()).containsExactly("bin/cluster");
        assertThat(o.out().toString()).contains("async-seed7");
    }

    @Test
    void onPatroniTheMenuHasItsOwnFaultsAndNotTheStalePrimaryStartedByHand() {
        ChaosOptions o = ChaosOptions.parse("--cluster patroni --mode quorum --runs 10 --duration 120 --seed 7".split(" "));
        assertThat(o.engine()).isEqualTo(Engine.PATRONI);
        assertThat(o.clusterCommand()).containsExactly("bin/patroni-cluster");
        assertThat(o.faults()).contains(FaultKind.KILL_PRIMARY, FaultKind.REPLAY_PAUSE, FaultKind.KILL_AGENT,
                FaultKind.PAUSE_AGENT, FaultKind.PARTITION_POSTGRES, FaultKind.DCS_LOSS, FaultKind.DCS_LOSS_FAILSAFE)
                .doesNotContain(FaultKind.STALE_PRIMARY);
        assertThat(o.out().toString()).contains("patroni-quorum-seed7");
        assertThat(o.commandLine()).startsWith("bin/chaos --cluster patroni --mode quorum").doesNotContain("--faults");
        ChaosOptions again = ChaosOptions.parse(o.commandLine().replaceFirst("^bin/chaos ", "").split(" "));
        assertThat(again.engine()).isEqualTo(Engine.PATRONI);
        assertThat(again.faults()).isEqualTo(o.faults());
        assertThatThrownBy(() -> ChaosOptions.parse("--cluster patroni --faults stale-primary".split(" ")))
                .hasMessageContaining("--cluster patroni cannot take stale-primary");
        assertThatThrownBy(() -> ChaosOptions.parse("--faults kill-agent".split(" ")))
                .hasMessageContaining("--cluster local cannot take kill-agent");
        assertThatThrownBy(() -> ChaosOptions.parse("--cluster etcd".split(" "))).hasMessageContaining("local or patroni");
        assertThat(ChaosOptions.parse("--cluster patroni --no-network --seed 1".split(" ")).faults())
                .noneMatch(k -> k.network).contains(FaultKind.DCS_LOSS, FaultKind.PAUSE_AGENT);
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
