package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestNetworks;

/**
 * A short real campaign on Patroni (bin/patroni-cluster; as root each node in a namespace of its own,
 * etcd on the bridge): the same workload, ledger and checker as on the local cluster, the primary
 * killed, and nobody but Patroni promotes anything — the nemesis's failover only waits for Patroni's
 * election, the healer only starts the killed agent again. In synchronous mode nothing acknowledged
 * may be lost, doubled or read stale; the fault must be healed, and the checker must see the
 * primary replaced (a switch of timeline, measured from the last write on the old one to the first
 * on the new).
 */
class PatroniChaosCampaignIT {

    /** bin/patroni-cluster's HA_PORT: the suite's Patroni port, as PatroniFailoverIT's (another module, another time). */
    static final int HA_PORT = Integer.parseInt(System.getenv().getOrDefault("TEST_PATRONI_PORT", "26000"));

    @Test
    void aShortSynchronousCampaignOnPatroniLosesNothingAndPatroniReplacesTheKilledLeader() throws Exception {
        Set<FaultKind> menu = EnumSet.of(FaultKind.KILL_PRIMARY);
        Path out = Path.of("target/chaos-patroni-it");
        ChaosOptions options = TestCampaigns.options(Engine.PATRONI, "chaos-patroni-it", menu, Duration.ofSeconds(60), 2,
                HA_PORT + ChaosOptions.PATRONI_PG_OFFSET, TestCampaigns.PORT + 40, TestNetworks.PATRONI_CAMPAIGN_TEST_PREFIX,
                TestNetworks.PATRONI_CAMPAIGN_TEST_SUBNET);
        List<RunResult> runs = TestCampaigns.run(options);

        RunResult r = runs.get(0);
        assertThat(r.harnessError()).isNull();
        Findings f = r.findings();
        assertThat(r.faults()).as("faults injected in 60 s").isNotEmpty().allMatch(FaultRecord::healed);
        assertThat(f.acknowledged()).as("acknowledged writes").isGreaterThan(10);
        assertThat(f.violations("quorum")).as(ChaosReport.run(options, r)).isEmpty();
        assertThat(ChaosCampaign.exitCode(options, runs)).isZero();

        // Patroni replaced the killed primary by itself: the first fault's writes moved to a new timeline.
        Findings.FaultOutage first = f.perFault().get(0);
        assertThat(first.lostLeader()).as("a switch of timeline during the kill").isTrue();
        assertThat(first.fault().steps()).extracting(FaultRecord.Step::text)
                .anyMatch(t -> t.startsWith("new leader ") && t.endsWith("elected by Patroni"))
                .noneMatch(t -> t.contains("promot") && !t.contains("Patroni"));
        assertThat(f.timelines()).as("timelines the watch saw").hasSizeGreaterThan(1);

        Path dir = out.resolve("run-01");
        assertThat(Files.readString(dir.resolve("report.md"))).contains("patroni, quorum mode", "Patroni's automatic failover");
        List<String> outages = Files.readAllLines(out.resolve(OutageTable.FILE));
        assertThat(OutageTable.parse(outages)).hasSize(r.faults().size()).allMatch(row -> row.engine() == Engine.PATRONI)
                .first().matches(OutageTable.Row::lostLeader);
        assertThat(Files.readString(out.resolve("summary.md"))).contains("— PASSED", "| kill-primary | ");
    }
}
