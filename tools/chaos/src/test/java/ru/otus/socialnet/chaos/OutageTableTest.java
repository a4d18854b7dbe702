package ru.otus.socialnet.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ru.otus.socialnet.chaos.Op.Kind;
import ru.otus.socialnet.chaos.Op.Outcome;
import ru.otus.socialnet.chaos.OutageTable.Campaign;
import ru.otus.socialnet.chaos.OutageTable.Row;

class OutageTableTest {

    @Test
    void everyFaultOfACampaignIsALineThatReadsBackAsItWasWritten() {
        List<Op> ops = List.of(
                new Op(Kind.WRITE, "s0", "a", 1, 900, 1_000, Outcome.OK, 200, "1", null, "00000001/0/1", 1),
                new Op(Kind.WRITE, "s0", "b", 1, 11_900, 12_000, Outcome.OK, 200, "2", null, "00000002/0/1", 1));
        Fault kill = FaultSchedule.plan(1, 1, java.util.EnumSet.of(FaultKind.KILL_PRIMARY), 1).get(0);
        FaultRecord f = new FaultRecord(1, kill, "node1, node2", 2_000, 20_000, List.of(), List.of(), null);
        Findings findings = Checker.check(new Checker.Input(0, 12_500, ops, Map.of("a", 1, "b", 1), true, List.of(),
                new Timelines(List.of()), List.of(f)));
        RunResult run = new RunResult(3, "c3", 1, 0, 0, 12_500, 31_000, List.of(f), findings, List.of(), null, false);

        List<String> lines = OutageTable.csv(Engine.PATRONI, List.of(run)).lines().toList();
        assertThat(lines).containsExactly(OutageTable.HEADER, "patroni,3,1,kill-primary,node1; node2,11000,11000,12500,-1,-2,true");
        assertThat(OutageTable.parse(lines)).containsExactly(new Row(Engine.PATRONI, 3, 1, FaultKind.KILL_PRIMARY, "node1; node2",
                11_000, 11_000, 12_500, -1, -2, true));
        assertThatThrownBy(() -> OutageTable.parse(List.of("kind,ms"))).hasMessageContaining("not an outages.csv");
    }

    @Test
    void campaignsAreComparedFaultByFaultAndFailoverByFailoverAgainstTheirEnginesTargets() {
        Campaign local = new Campaign("local-20", List.of(
                row(Engine.LOCAL, FaultKind.KILL_PRIMARY, 2_300, 2_200),
                row(Engine.LOCAL, FaultKind.KILL_PRIMARY, 2_600, 2_500),
                row(Engine.LOCAL, FaultKind.STALE_PRIMARY, 2_400, 2_400),
                row(Engine.LOCAL, FaultKind.PAUSE, 11_000, -1)));
        Campaign patroni = new Campaign("patroni-10", List.of(
                row(Engine.PATRONI, FaultKind.KILL_PRIMARY, 13_000, 12_500),
                row(Engine.PATRONI, FaultKind.KILL_PRIMARY, 21_000, 21_000),
                row(Engine.PATRONI, FaultKind.DCS_LOSS, 14_000, 14_000),
                row(Engine.PATRONI, FaultKind.PAUSE, 4_000, -1)));

        String md = OutageTable.compare(List.of(local, patroni));
        assertThat(md).contains("| fault | local-20 | patroni-10 |",
                "| kill-primary | 2.2 / 2.5 / 2.5 (2) | 12.5 / 21.0 / 21.0 (2), **1 over target** |",
                "| stale-primary | 2.4 / 2.4 / 2.4 (1) | — |",
                "| pause | 11.0 / 11.0 / 11.0 (1), **1 over target** | 4.0 / 4.0 / 4.0 (1) |",
                "| dcs-loss | — | 14.0 / 14.0 / 14.0 (1) |",
                "| **every failover** | 2.4 / 2.5 / 2.5 (3) | 14.0 / 21.0 / 21.0 (3), **1 over target** |",
                "targets: write outage ≤ 20 s for a lost leader, ≤ 10 s otherwise");
    }

    static Row row(Engine engine, FaultKind kind, long writeMs, long failoverMs) {
        return new Row(engine, 1, 1, kind, "n", writeMs, failoverMs, 500, -1, -2, true);
    }
}
