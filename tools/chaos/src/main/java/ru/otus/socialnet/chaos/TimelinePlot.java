package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
/**
 * The run's timeline as a picture (gnuplot, PNG): above, acknowledged writes, served reads and
 * failed requests per second; below, write and read latency (median and worst per second); the
 * faults as shaded bands across both, split-brain stretches in red. The data stays next to it
 * ({@code series.dat}, {@code plot.gp}) for anyone who wants another view.
 */
final class TimelinePlot {

    private TimelinePlot() {
    }

    /** One line per second since the load started: t, writes/s, reads/s, failed/s, write p50, max, read p50, max (ms). */
    static List<String> series(List<Op> ops, long loadStartMs, long loadEndMs) {
        int seconds = (int) Math.max(1, (loadEndMs - loadStartMs + 999) / 1000);
        List<List<Long>> writeLat = new ArrayList<>();
        List<List<Long>> readLat = new ArrayList<>();
        long[] failed = new long[seconds];
        for (int i = 0; i < seconds; i++) {
            writeLat.add(new ArrayList<>());
            readLat.add(new ArrayList<>());
        }
        for (Op op : ops) {
            int s = (int) ((op.endMs() - loadStartMs) / 1000);
            if (s < 0 || s >= seconds) {
                continue;
            }
            long latency = op.endMs() - op.startMs();
            if (op.acknowledged()) {
                writeLat.get(s).add(latency);
            } else if (Checker.servedRead(op)) {
                readLat.get(s).add(latency);
            } else {
                failed[s]++;
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add("# t_s writes_acked reads_served failed write_p50_ms write_max_ms read_p50_ms read_max_ms");
        for (int s = 0; s < seconds; s++) {
            lines.add(String.format(Locale.ROOT, "%d %d %d %d %s %s %s %s", s, writeLat.get(s).size(), readLat.get(s).size(),
                    failed[s], median(writeLat.get(s)), max(writeLat.get(s)), median(readLat.get(s)), max(readLat.get(s))));
        }
        return lines;
    }

    /** Writes series.dat and plot.gp into {@code dir} and draws plot.png; false when gnuplot is missing or fails. */
    static boolean draw(Path dir, RunResult r, List<Op> ops, String title) throws IOException, InterruptedException {
        Files.write(dir.resolve("series.dat"), series(ops, r.loadStartMs(), r.loadEndMs()));
        StringBuilder gp = new StringBuilder();
        gp.append("set terminal pngcairo size 1200,820 font \",9\"\nset output 'plot.png'\n");
        gp.append(String.format(Locale.ROOT, "set multiplot layout 2,1 title \"%s\"%n", title.replace("\"", "'")));
        gp.append(String.format(Locale.ROOT, "set xrange [0:%.1f]%nset lmargin 10%nset grid%nset key top right opaque font \",8\"%n",
                r.t(r.loadEndMs())));
        int object = 1;
        for (FaultRecord f : r.faults()) {
            gp.append(String.format(Locale.ROOT, "set object %d rect from %.2f, graph 0 to %.2f, graph 1 fc rgb \"%s\" "
                    + "fs transparent solid 0.18 noborder behind%n", object++, r.t(f.startMs()), r.t(f.endMs()),
                    f.healed() ? "#1f77b4" : "#000000"));
        }
        for (Timelines.Interval i : r.splitBrain()) {
            gp.append(String.format(Locale.ROOT, "set object %d rect from %.2f, graph 0 to %.2f, graph 1 fc rgb \"#d62728\" "
                    + "fs transparent solid 0.35 noborder behind%n", object++, r.t(i.from()), r.t(i.to())));
        }
        int label = 1;
        for (FaultRecord f : r.faults()) {
            gp.append(String.format(Locale.ROOT, "set label %d \"%d %s%s\" at %.2f, graph 0.02 left rotate by 90 font \",7\"%n",
                    label++, f.number(), f.fault().kind().cliName, f.target() == null ? "" : " " + f.target(),
                    r.t(f.startMs()) + 0.3));
        }
        gp.append("set ylabel 'per second'\n");
        gp.append("plot 'series.dat' using 1:2 with lines lw 2 lc rgb '#2ca02c' title 'writes acknowledged', \\\n");
        gp.append("     '' using 1:3 with lines lw 1 lc rgb '#1f77b4' title 'reads served', \\\n");
        gp.append("     '' using 1:4 with impulses lw 3 lc rgb '#d62728' title 'failed requests'\n");
        gp.append("unset label\nset logscale y\nset ylabel 'latency, ms'\nset xlabel 's since the load started "
                + "(bands: faults, from injection to healed; red: two primaries answered)'\n");
        gp.append("plot 'series.dat' using 1:($5>0?$5:1/0) with lines lc rgb '#2ca02c' title 'write p50', \\\n");
        gp.append("     '' using 1:($6>0?$6:1/0) with points pt 7 ps 0.4 lc rgb '#2ca02c' title 'write max', \\\n");
        gp.append("     '' using 1:($7>0?$7:1/0) with lines lc rgb '#1f77b4' title 'read p50', \\\n");
        gp.append("     '' using 1:($8>0?$8:1/0) with points pt 7 ps 0.4 lc rgb '#1f77b4' title 'read max'\n");
        gp.append("unset multiplot\n");
        Files.writeString(dir.resolve("plot.gp"), gp.toString());
        try {
            Process p = new ProcessBuilder("gnuplot", "plot.gp").directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("gnuplot.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no gnuplot: the report says so
        }
    }

    private static String median(List<Long> xs) {
        if (xs.isEmpty()) {
            return "0";
        }
        List<Long> sorted = xs.stream().sorted().toList();
        return Long.toString(sorted.get(sorted.size() / 2));
    }

    private static String max(List<Long> xs) {
        return Long.toString(xs.stream().mapToLong(Long::longValue).max().orElse(0));
    }
}
