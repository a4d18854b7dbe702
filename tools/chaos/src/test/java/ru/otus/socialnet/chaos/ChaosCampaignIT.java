package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.testsupport.TestNetworks;

/**
 * A short real campaign: a fresh cluster (on a network when the tests run as root), two instances of
 * the service, each a process of its own, the load spread over them, the nemesis and the checker, end
 * to end. Its faults stop no primary (a replica killed; as root also a replica partitioned or slowed, and
 * a node's link, the primary's too, losing and duplicating packets): in
 * quorum mode none of them may lose, double or hide a write, whatever the service's routing does — so
 * the verdict must pass, and every fault must be healed. (The faults that find today's defects are
 * bin/chaos's; see the README.)
 */
class ChaosCampaignIT {

    static final boolean ROOT = TestCampaigns.ROOT;
    static final int PORT = TestCampaigns.PORT;

    @Test
    void aShortQuorumCampaignOfReplicaFaultsPassesAndReportsEverything() throws Exception {
        Set<FaultKind> menu = ROOT
                ? EnumSet.of(FaultKind.KILL_REPLICA, FaultKind.PARTITION_REPLICA, FaultKind.SLOW_REPLICA, FaultKind.LOSSY_LINK)
                : EnumSet.of(FaultKind.KILL_REPLICA);
        Path out = Path.of("target/chaos-it");
        ChaosOptions options = TestCampaigns.options(Engine.LOCAL, "chaos-it", menu, Duration.ofSeconds(40), 15, PORT + 20,
                PORT + 38, TestNetworks.CAMPAIGN_TEST_PREFIX, TestNetworks.CAMPAIGN_TEST_SUBNET);
        List<RunResult> runs = TestCampaigns.run(options);

        RunResult r = runs.get(0);
        assertThat(r.harnessError()).isNull();
        Findings f = r.findings();
        assertThat(r.faults()).as("faults injected in 40 s").isNotEmpty().allMatch(FaultRecord::healed);
        assertThat(r.faults()).extracting(fr -> fr.fault().kind()).allMatch(menu::contains);
        assertThat(f.acknowledged()).as("acknowledged writes").isGreaterThan(10);
        assertThat(f.violations("quorum")).as(ChaosReport.run(options, r)).isEmpty();
        assertThat(ChaosCampaign.exitCode(options, runs)).isZero();

        // The ledger on disk is the ledger the checker read.
        Path dir = out.resolve("run-01");
        List<String> ledger = Files.readAllLines(dir.resolve("ledger.csv"));
        assertThat(ledger.get(0)).isEqualTo(Op.CSV_HEADER);
        assertThat(ledger).hasSize((int) f.requests() + 1);
        Set<String> ackedInCsv = ledger.stream().skip(1).map(l -> l.split(",", -1))
                .filter(c -> c[0].equals("WRITE") && c[6].equals("OK")).map(c -> c[2]).collect(Collectors.toSet());
        assertThat(ackedInCsv).hasSize((int) f.acknowledged());
        // Two instances, as behind a load balancer: both served, and token reads crossed from one to the other.
        assertThat(ledger.stream().skip(1).map(l -> l.split(",", -1)[11]).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("1", "2");
        assertThat(f.crossInstanceReads()).as("token reads served by the other instance than the write's").isPositive();
        assertThat(dir.resolve("service-1.log")).isNotEmptyFile();
        assertThat(dir.resolve("service-2.log")).isNotEmptyFile();
        assertThat(Files.readString(dir.resolve("report.md"))).contains("## What the checker found", "## Faults, step by step");
        assertThat(dir.resolve("plot.png")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("summary.md"))).contains("— PASSED", "| [1](run-01/report.md) |");
    }
}
