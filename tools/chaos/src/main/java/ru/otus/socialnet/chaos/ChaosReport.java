package ru.otus.socialnet.chaos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import ru.otus.socialnet.chaos.Findings.FaultOutage;
import ru.otus.socialnet.chaos.Op.Kind;
import ru.otus.socialnet.chaos.Op.Outcome;

/** The Markdown of a run's report and of the campaign's summary. */
final class ChaosReport {

    private static final int EXAMPLES = 8;

    private ChaosReport() {
    }

    static String run(ChaosOptions o, RunResult r) {
        StringBuilder md = new StringBuilder();
        boolean passed = r.passed(o.mode());
        md.append("# Chaos run ").append(r.number()).append(" of ").append(o.runs()).append(": ").append(engine(o))
                .append(o.mode()).append(" mode — ").append(passed ? "PASSED" : "FAILED").append("\n\n");
        md.append("`").append(o.commandLine()).append("` — run ").append(r.number()).append(" (its faults come from seed ")
                .append(o.seed()).append(", run ").append(r.number()).append("); run id `").append(r.runId()).append("`, ")
                .append(Instant.ofEpochMilli(r.startMs())).append(".\n");
        md.append("Load: ").append(o.sessions()).append(" writer sessions (register with an `Idempotency-Key`, read back with ")
                .append("the `X-Consistency-Token`) and ").append(o.searchers()).append(" searchers through ")
                .append(instances(o)).append(" for ").append(fmt(r.t(r.loadEndMs()))).append(" s; cluster ")
                .append(o.network() ? "on a network (a namespace per node)" : "on 127.0.0.1 (no network faults)")
                .append(", kept available by ").append(o.engine().description)
                .append("; the whole run took ").append(fmt((r.endMs() - r.startMs()) / 1000.0)).append(" s.\n\n");
        if (r.harnessError() != null) {
            md.append("**The harness failed: ").append(r.harnessError()).append("** This run proves nothing either way.\n");
            return md.toString();
        }
        Findings f = r.findings();
        List<String> violations = f.violations(o.mode());
        md.append("**Verdict: ").append(passed ? "PASSED" : "FAILED").append("**")
                .append(violations.isEmpty() ? "" : " — " + String.join("; ", violations)).append(".\n");
        if (o.mode().equals("async") && !f.lost().isEmpty()) {
            md.append("Async mode lost ").append(f.lost().size()).append(" acknowledged write(s): measured, not failed on ")
                    .append("(an async commit is acknowledged before any standby has it).\n");
        }

        md.append("\n## What the checker found\n\n| check | found | promise |\n|---|---:|---|\n");
        row(md, "acknowledged writes lost (missing on the final primary)", f.lost().size(),
                o.mode().equals("quorum") ? "0" : "async: measured");
        row(md, "writes stored twice (rows per marker > 1)", f.duplicates().size(), "0");
        row(md, "one Idempotency-Key acknowledged with two user ids", f.keyTwoIds().size(), "0");
        row(md, "token reads that missed the client's write", f.staleReads().size(), "0");
        row(md, "writes acknowledged by a stale node (token's timeline older than a running node's)", f.staleAcks().size(), "0");
        row(md, "rows written to a stale primary after a newer timeline existed", f.staleRowsWritten().size(), "0");
        row(md, "the project's cluster commands that failed (failover, rejoin, up)", f.toolFailures().size(), "0");
        row(md, "faults the cluster could not be healed from", (int) f.unhealed(), "0");
        row(md, "standbys with replay paused still read from past the lag bound", f.lingeringStandbys().size(), "0");
        row(md, "token reads of writes that were lost (explained by the loss)", (int) f.readsOfLostWrites(), "—");
        row(md, "rows only a stale node had, written before the newer timeline (gone with its rewind)",
                (int) f.divergentRows(), "— (never acknowledged, or counted as lost)");
        examples(md, "lost", f.lost());
        examples(md, "stored twice", f.duplicates().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
        examples(md, "two user ids for one key", f.keyTwoIds());
        examples(md, "stale token reads", f.staleReads().stream().map(op -> op.marker() + " (user " + op.userId()
                + ", token " + op.tokenSent() + ", " + op.outcome() + " at t=" + fmt(r.t(op.endMs())) + " s)").toList());
        examples(md, "acknowledged by a stale node", f.staleAcks().stream().map(op -> op.marker() + " (token "
                + op.tokenReceived() + " at t=" + fmt(r.t(op.endMs())) + " s)").toList());
        examples(md, "written to a stale node", f.staleRowsWritten());
        examples(md, "failed cluster commands", f.toolFailures());
        examples(md, "paused standbys still in a read rotation", f.lingeringStandbys());

        md.append("\n## Requests\n\n");
        md.append("Writes: ").append(f.logicalWrites()).append(" distinct (one marker and key each), ")
                .append(f.acknowledged()).append(" acknowledged; ").append(f.unknownOutcomes())
                .append(" ended with an unknown outcome (504, timeout, connection cut, 5xx; never acknowledged), of which ")
                .append(f.unknownStored()).append(" are stored; ").append(f.unacknowledgedStored())
                .append(" stored rows were never acknowledged in all. Timelines seen: ").append(f.timelines()).append(".\n");
        if (o.instances() > 1) {
            md.append("Token reads answered by another service instance than the one that acknowledged the write: ")
                    .append(f.crossInstanceReads()).append(" (the token alone carried the floor across; a stale one would be ")
                    .append("counted above).\n");
        }
        md.append('\n');
        md.append(outcomeTable(List.of(f.outcomes())));

        md.append("\n## Outages seen by clients\n\n");
        md.append("Longest stretch without an acknowledged write: **").append(fmt(f.writeOutage().ms() / 1000.0))
                .append(" s** (t=").append(fmt(r.t(f.writeOutage().fromMs()))).append("–")
                .append(fmt(r.t(f.writeOutage().toMs()))).append(" s); without a served read: **")
                .append(fmt(f.readOutage().ms() / 1000.0)).append(" s** (t=").append(fmt(r.t(f.readOutage().fromMs())))
                .append("–").append(fmt(r.t(f.readOutage().toMs()))).append(" s). Two primaries answered at once for ")
                .append(fmt(f.splitBrainMs() / 1000.0)).append(" s.\n\n");
        md.append("Write outage: the longest stretch without an acknowledged write overlapping the fault. Failover: when ")
                .append("the timeline changed during it, from the last write acknowledged on the old timeline to the first on ")
                .append("the new (CloudNativePG's measure). Slowest refusal: the slowest write sent during the fault that was ")
                .append("not acknowledged.\n\n");
        md.append("| # | t (s) | fault | target | injected → healed (s) | write outage (s) | failover (s) | read outage (s) "
                + "| slowest refusal (s) | healed |\n");
        md.append("|---:|---:|---|---|---:|---:|---:|---:|---:|---|\n");
        for (FaultOutage fo : f.perFault()) {
            FaultRecord fr = fo.fault();
            md.append("| ").append(fr.number()).append(" | ").append(fmt(r.t(fr.startMs()))).append(" | ")
                    .append(fr.fault().describe()).append(" | ").append(fr.target() == null ? "—" : fr.target()).append(" | ")
                    .append(fmt((fr.endMs() - fr.startMs()) / 1000.0)).append(" | ").append(fmt(fo.writeMs() / 1000.0))
                    .append(" | ").append(fo.lostLeader() ? fmt(fo.switchMs() / 1000.0) : "—")
                    .append(" | ").append(fmt(fo.readMs() / 1000.0)).append(" | ")
                    .append(fo.slowestFailedWriteMs() < 0 ? "—" : fmt(fo.slowestFailedWriteMs() / 1000.0)).append(" | ")
                    .append(fr.healed() ? "yes" : "**no**").append(" |\n");
        }
        md.append("\n").append(r.plotted() ? "![timeline: faults against throughput and latency](plot.png)\n"
                : "(no plot: gnuplot is missing or failed; the data is in series.dat)\n");

        md.append("\n## Faults, step by step\n");
        for (FaultRecord fr : r.faults()) {
            md.append("\n### ").append(fr.number()).append(". ").append(fr.fault().kind().cliName)
                    .append(fr.target() == null ? "" : " (" + fr.target() + ")").append("\n\n");
            for (FaultRecord.Step s : fr.steps()) {
                md.append("- t=").append(fmt(r.t(s.atMs()))).append(" s: ").append(s.text().replace("|", "\\|")).append('\n');
            }
        }
        md.append("\nFiles: `ledger.csv` (every request), `series.dat` and `plot.gp` (the plot's data), ")
                .append(o.instances() == 1 ? "`service.log`" : "`service-1.log` … `service-" + o.instances() + ".log`")
                .append(", `cluster.log` (").append(o.engine().command).append("'s progress), `nodes/` (the nodes' own logs: ")
                .append(o.engine() == Engine.PATRONI ? "patroni.log with its PostgreSQL's, etcd.log" : "postgres.log").append(").\n");
        return md.toString();
    }

    static String summary(ChaosOptions o, List<RunResult> runs) {
        StringBuilder md = new StringBuilder();
        boolean harness = runs.stream().anyMatch(r -> r.harnessError() != null);
        boolean passed = runs.stream().allMatch(r -> r.passed(o.mode()));
        md.append("# Chaos campaign: ").append(engine(o)).append(o.mode()).append(" mode, ").append(runs.size()).append(" run(s) × ")
                .append(o.duration().toSeconds()).append(" s — ")
                .append(harness ? "HARNESS FAILED" : passed ? "PASSED" : "FAILED").append("\n\n");
        md.append("`").append(o.commandLine()).append("`; the menu: ").append(FaultKind.names(o.faults()))
                .append("; ").append(instances(o)).append("; the cluster kept available by ").append(o.engine().description)
                .append(".\n\n");
        md.append("| run | faults | writes acked | lost | stored twice | two ids / key | stale token reads | stale-node acks | "
                + "stale-node rows | failed cluster commands | unhealed | longest write outage (s) | longest read outage (s) | split brain (s) | verdict |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        long[] total = new long[10];
        for (RunResult r : runs) {
            if (r.harnessError() != null) {
                md.append("| [").append(r.number()).append("](").append(runDir(r)).append("/report.md) | ")
                        .append("harness failed: ").append(r.harnessError().replace("|", "\\|").replace("\n", " "))
                        .append(" ||||||||||||| HARNESS |\n");
                continue;
            }
            Findings f = r.findings();
            long[] v = {r.faults().size(), f.acknowledged(), f.lost().size(), f.duplicates().size(), f.keyTwoIds().size(),
                f.staleReads().size(), f.staleAcks().size(), f.staleRowsWritten().size(), f.toolFailures().size(),
                f.unhealed()};
            md.append("| [").append(r.number()).append("](").append(runDir(r)).append("/report.md) |");
            for (int i = 0; i < v.length; i++) {
                total[i] += v[i];
                md.append(' ').append(v[i]).append(" |");
            }
            md.append(' ').append(fmt(f.writeOutage().ms() / 1000.0)).append(" | ").append(fmt(f.readOutage().ms() / 1000.0))
                    .append(" | ").append(fmt(f.splitBrainMs() / 1000.0)).append(" | ")
                    .append(r.passed(o.mode()) ? "passed" : "**failed**").append(" |\n");
        }
        md.append("| all |");
        for (long t : total) {
            md.append(' ').append(t).append(" |");
        }
        md.append(" | | | |\n");

        List<FaultOutage> outages = runs.stream().filter(r -> r.findings() != null)
                .flatMap(r -> r.findings().perFault().stream()).toList();
        md.append("\n## Outage per fault (client-observed, all runs)\n\n");
        md.append("Write outage: the longest stretch without an acknowledged write overlapping the fault. Failover: for ")
                .append("the faults during which the primary was replaced, from the last write acknowledged on the old timeline ")
                .append("to the first on the new (CloudNativePG's measure). Over target: faults whose failover (or, without ")
                .append("one, write outage) passed ").append(targets(o.engine())).append(", or whose read outage passed ")
                .append(READ_OUTAGE_TARGET_MS / 1000).append(" s.\n\n");
        md.append("| fault | injected | not healed | write outage p50 / p99 / max (s) | leader lost | failover p50 / p99 / max (s) "
                + "| read outage p50 / p99 / max (s) | over target (writes, reads) |\n");
        md.append("|---|---:|---:|---|---:|---|---|---|\n");
        Map<FaultKind, List<FaultOutage>> byKind = new EnumMap<>(FaultKind.class);
        outages.forEach(fo -> byKind.computeIfAbsent(fo.fault().fault().kind(), k -> new ArrayList<>()).add(fo));
        byKind.forEach((kind, list) -> outageRow(md, o.engine(), kind.cliName, list));
        if (!outages.isEmpty()) {
            outageRow(md, o.engine(), "**every fault**", outages);
        }

        md.append("\n## Requests by outcome (all runs)\n\n");
        md.append(outcomeTable(runs.stream().filter(r -> r.findings() != null).map(r -> r.findings().outcomes()).toList()));

        md.append("\n## Verdict\n\n");
        if (harness) {
            md.append("HARNESS FAILED (exit 2): a run could not be completed; see its report.\n");
        } else if (passed) {
            md.append("PASSED (exit 0): ").append(o.mode().equals("quorum")
                    ? "nothing acknowledged was lost, " : "losses are reported above; ")
                    .append("nothing was stored twice, no token read was stale, nothing was written to a stale node, ")
                    .append("no standby whose replay was paused was read from past the lag bound, and every fault was healed.\n");
        } else {
            md.append("FAILED (exit 1):\n\n");
            for (RunResult r : runs) {
                List<String> v = r.findings().violations(o.mode());
                if (!v.isEmpty()) {
                    md.append("- run ").append(r.number()).append(": ").append(String.join("; ", v)).append('\n');
                }
            }
        }
        return md.toString();
    }

    /** "2 service instances (:18095, :18096; round-robin, the next one when a connection fails)". */
    static String instances(ChaosOptions o) {
        String ports = o.services().stream().map(u -> ":" + u.getPort()).collect(Collectors.joining(", "));
        return o.instances() == 1 ? "1 service instance (" + ports + ")"
                : o.instances() + " service instances (" + ports + "; round-robin, a request that cannot connect "
                + "to one goes to the next; a restart fault restarts one)";
    }

    private static String runDir(RunResult r) {
        return String.format(Locale.ROOT, "run-%02d", r.number());
    }

    private static String outcomeTable(List<Map<Kind, Map<Outcome, Long>>> all) {
        Map<Kind, Map<Outcome, Long>> sum = new EnumMap<>(Kind.class);
        for (Map<Kind, Map<Outcome, Long>> m : all) {
            m.forEach((k, byOutcome) -> byOutcome.forEach((o, n) ->
                    sum.computeIfAbsent(k, x -> new EnumMap<>(Outcome.class)).merge(o, n, Long::sum)));
        }
        StringBuilder md = new StringBuilder("| outcome | writes (register) | token reads (get) | searches |\n|---|---:|---:|---:|\n");
        for (Outcome o : Outcome.values()) {
            long w = count(sum, Kind.WRITE, o);
            long r = count(sum, Kind.READ, o);
            long s = count(sum, Kind.SEARCH, o);
            if (w + r + s > 0) {
                md.append("| ").append(o).append(o == Outcome.UNKNOWN_504 ? " (outcome unknown: maybe stored)" : "")
                        .append(" | ").append(w).append(" | ").append(r).append(" | ").append(s).append(" |\n");
            }
        }
        return md.toString();
    }

    private static long count(Map<Kind, Map<Outcome, Long>> m, Kind k, Outcome o) {
        return m.getOrDefault(k, Map.of()).getOrDefault(o, 0L);
    }

    /** The bound on a read outage: reads never out for more than this. */
    static final long READ_OUTAGE_TARGET_MS = 2_000;

    private static void outageRow(StringBuilder md, Engine engine, String name, List<FaultOutage> list) {
        List<FaultOutage> lost = list.stream().filter(FaultOutage::lostLeader).toList();
        md.append("| ").append(name).append(" | ").append(list.size()).append(" | ")
                .append(list.stream().filter(fo -> !fo.fault().healed()).count()).append(" | ")
                .append(percentiles(list, FaultOutage::writeMs)).append(" | ").append(lost.size()).append(" | ")
                .append(lost.isEmpty() ? "—" : percentiles(lost, FaultOutage::switchMs)).append(" | ")
                .append(percentiles(list, FaultOutage::readMs)).append(" | ")
                .append(list.stream().filter(fo -> fo.targetedWriteMs() > engine.writeOutageTargetMs(fo.lostLeader())).count())
                .append(", ").append(list.stream().filter(fo -> fo.readMs() > READ_OUTAGE_TARGET_MS).count()).append(" |\n");
    }

    /** "≤ 10 s" or "≤ 20 s for a lost leader, ≤ 10 s otherwise". */
    static String targets(Engine engine) {
        long lost = engine.writeOutageTargetMs(true) / 1000;
        long other = engine.writeOutageTargetMs(false) / 1000;
        return lost == other ? "≤ " + other + " s" : "≤ " + lost + " s for a lost leader, ≤ " + other + " s otherwise";
    }

    /** "patroni, " for Patroni campaigns; nothing for the local cluster's (as before there was a choice). */
    private static String engine(ChaosOptions o) {
        return o.engine() == Engine.LOCAL ? "" : o.engine().cliName + ", ";
    }

    private static String percentiles(List<FaultOutage> list, Function<FaultOutage, Long> value) {
        return percentiles(list.stream().map(value).toList());
    }

    /** "p50 / p99 / max" in seconds of values in ms (nearest rank). */
    static String percentiles(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return fmt(nearestRank(sorted, 50) / 1000.0) + " / " + fmt(nearestRank(sorted, 99) / 1000.0) + " / "
                + fmt(sorted.get(sorted.size() - 1) / 1000.0);
    }

    /** The nearest-rank percentile of sorted values. */
    static long nearestRank(List<Long> sorted, int percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static void row(StringBuilder md, String check, int found, String promise) {
        md.append("| ").append(check).append(" | ").append(found == 0 ? "0" : "**" + found + "**").append(" | ")
                .append(promise).append(" |\n");
    }

    private static void examples(StringBuilder md, String what, List<String> cases) {
        if (!cases.isEmpty()) {
            md.append("\n").append(capitalized(what)).append(" (").append(cases.size()).append("): ")
                    .append(cases.stream().limit(EXAMPLES).map(c -> "`" + c + "`").collect(Collectors.joining(", ")))
                    .append(cases.size() > EXAMPLES ? ", …" : "").append('\n');
        }
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
