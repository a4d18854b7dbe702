package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

import ru.otus.socialnet.chaos.Findings.FaultOutage;

/**
 * Every fault of a campaign with its outages, one line each ({@code outages.csv} beside the summary),
 * and the comparison of campaigns from those files: the same faults, the engines side by side
 * ({@code bin/chaos compare DIR...}). Pure but for reading the files.
 */
final class OutageTable {

    static final String FILE = "outages.csv";
    static final String HEADER = "engine,run,fault,kind,target,write_outage_ms,failover_ms,read_outage_ms,"
            + "slowest_refusal_ms,out_of_rotation_ms,healed";

    /** One fault: {@code failoverMs} -1 when the primary was not replaced during it. */
    record Row(Engine engine, int run, int fault, FaultKind kind, String target, long writeMs, long failoverMs, long readMs,
               long slowestRefusalMs, long outOfRotationMs, boolean healed) {

        boolean lostLeader() {
            return failoverMs >= 0;
        }

        /** What the target holds: the failover when the leader was lost, else the longest write outage. */
        long targetedWriteMs() {
            return lostLeader() ? failoverMs : writeMs;
        }
    }

    private OutageTable() {
    }

    static String csv(Engine engine, List<RunResult> runs) {
        StringBuilder csv = new StringBuilder(HEADER).append('\n');
        for (RunResult r : runs) {
            if (r.findings() == null) {
                continue;
            }
            for (FaultOutage fo : r.findings().perFault()) {
                FaultRecord f = fo.fault();
                csv.append(String.join(",", engine.cliName, Integer.toString(r.number()), Integer.toString(f.number()),
                        f.fault().kind().cliName, f.target() == null ? "" : f.target().replace(',', ';'),
                        Long.toString(fo.writeMs()), Long.toString(fo.switchMs()), Long.toString(fo.readMs()),
                        Long.toString(fo.slowestFailedWriteMs()), Long.toString(f.outOfRotationMs()),
                        Boolean.toString(f.healed()))).append('\n');
            }
        }
        return csv.toString();
    }

    static List<Row> parse(List<String> lines) {
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException("not an " + FILE + " (its first line must be: " + HEADER + ")");
        }
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] c = line.split(",", -1);
            rows.add(new Row(Engine.of(c[0]), Integer.parseInt(c[1]), Integer.parseInt(c[2]), FaultKind.of(c[3]), c[4],
                    Long.parseLong(c[5]), Long.parseLong(c[6]), Long.parseLong(c[7]), Long.parseLong(c[8]), Long.parseLong(c[9]),
                    Boolean.parseBoolean(c[10])));
        }
        return rows;
    }

    /** A campaign to compare: its name (its directory) and its faults. */
    record Campaign(String name, List<Row> rows) {

        static Campaign read(Path dir) throws IOException {
            return new Campaign(dir.getFileName().toString(), parse(Files.readAllLines(dir.resolve(FILE))));
        }

        Engine engine() {
            return rows.isEmpty() ? Engine.LOCAL : rows.get(0).engine();
        }
    }

    /**
     * The campaigns side by side, per fault: how often it was injected, the write outage it caused (the
     * failover's for a lost leader, else the longest stretch without a write), p50 / p99 / max, and how
     * many of its faults were over their engine's target; then the failovers alone (every fault that
     * replaced the primary).
     */
    static String compare(List<Campaign> campaigns) {
        StringBuilder md = new StringBuilder("# Fault campaigns compared\n\n");
        for (Campaign c : campaigns) {
            md.append("- **").append(c.name()).append("**: ").append(c.engine().cliName).append(" — ")
                    .append(c.engine().description).append("; ").append(c.rows().size()).append(" faults, targets: write outage ")
                    .append(ChaosReport.targets(c.engine())).append(".\n");
        }
        md.append("\nWrite outage per fault (s): the failover — last write acknowledged on the old timeline to the first ")
                .append("on the new — where the primary was replaced, else the longest stretch without an acknowledged write; ")
                .append("p50 / p99 / max (n), and how many were over their engine's target.\n\n| fault |");
        campaigns.forEach(c -> md.append(' ').append(c.name()).append(" |"));
        md.append("\n|---|");
        campaigns.forEach(c -> md.append("---|"));
        md.append('\n');
        for (FaultKind kind : FaultKind.values()) {
            if (campaigns.stream().noneMatch(c -> c.rows().stream().anyMatch(r -> r.kind() == kind))) {
                continue;
            }
            md.append("| ").append(kind.cliName).append(" |");
            for (Campaign c : campaigns) {
                md.append(' ').append(cell(c.engine(), c.rows().stream().filter(r -> r.kind() == kind).toList(),
                        Row::targetedWriteMs)).append(" |");
            }
            md.append('\n');
        }
        md.append("| **every fault** |");
        campaigns.forEach(c -> md.append(' ').append(cell(c.engine(), c.rows(), Row::targetedWriteMs)).append(" |"));
        md.append("\n\nThe failovers alone (every fault during which the primary was replaced), by fault (s):\n\n| fault |");
        campaigns.forEach(c -> md.append(' ').append(c.name()).append(" |"));
        md.append("\n|---|");
        campaigns.forEach(c -> md.append("---|"));
        md.append('\n');
        Map<FaultKind, Boolean> any = new EnumMap<>(FaultKind.class);
        campaigns.forEach(c -> c.rows().stream().filter(Row::lostLeader).forEach(r -> any.put(r.kind(), true)));
        for (FaultKind kind : any.keySet()) {
            md.append("| ").append(kind.cliName).append(" |");
            for (Campaign c : campaigns) {
                md.append(' ').append(cell(c.engine(), c.rows().stream().filter(r -> r.kind() == kind && r.lostLeader()).toList(),
                        Row::failoverMs)).append(" |");
            }
            md.append('\n');
        }
        md.append("| **every failover** |");
        campaigns.forEach(c -> md.append(' ').append(cell(c.engine(), c.rows().stream().filter(Row::lostLeader).toList(),
                Row::failoverMs)).append(" |"));
        md.append("\n\nReads, the longest outage of any fault (s; target ").append(ChaosReport.READ_OUTAGE_TARGET_MS / 1000)
                .append(" s):");
        campaigns.forEach(c -> md.append(" ").append(c.name()).append(" ")
                .append(c.rows().isEmpty() ? "—" : ChaosReport.fmt(c.rows().stream().mapToLong(Row::readMs).max().orElse(0) / 1000.0))
                .append(';'));
        md.setLength(md.length() - 1);
        return md.append(".\n").toString();
    }

    /** "p50 / p99 / max (n), k over target", or "—" without a fault. */
    private static String cell(Engine engine, List<Row> rows, ToLongFunction<Row> value) {
        if (rows.isEmpty()) {
            return "—";
        }
        long over = rows.stream().filter(r -> r.targetedWriteMs() > engine.writeOutageTargetMs(r.lostLeader())).count();
        return ChaosReport.percentiles(rows.stream().map(value::applyAsLong).toList())
                + String.format(Locale.ROOT, " (%d)%s", rows.size(), over == 0 ? "" : ", **" + over + " over target**");
    }
}
