package ru.otus.socialnet.drill;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import ru.otus.socialnet.cluster.ClusterControl.Event;
import ru.otus.socialnet.cluster.ClusterControl;

/** The drill's Markdown report: timeline, counts, verdict (and the rejoin, when there was one). */
public final class DrillReport {

    private DrillReport() {
    }

    /** The report of a drill that counted its writes; REJOIN is null until the rejoin step ran. */
    public static String markdown(DrillResult r, DrillRejoin rejoin) {
        DrillOptions o = r.options();
        StringBuilder md = new StringBuilder();
        header(md, o, r.startMs());
        md.append("- primary `").append(r.oldPrimary()).append("` killed with `kill -9` after ")
                .append(o.killAfter().toSeconds()).append(" s; new primary `").append(r.newPrimary()).append("`\n\n");
        timeline(md, r.timeline(), r.startMs(), r.killMs());

        md.append("\n## Writes\n\n| | count |\n|---|---:|\n");
        md.append("| requests sent | ").append(r.attempts()).append(" |\n");
        md.append("| acknowledged (HTTP 200 with `user_id`) | ").append(r.acknowledged().size()).append(" |\n");
        md.append("| **acknowledged but missing on the new primary (lost)** | **").append(r.lost().size()).append("** |\n");
        md.append("| **stored more than once (duplicated)** | **").append(r.duplicated().size()).append("** |\n");
        md.append("| answered 504, commit outcome unknown (maybe stored: never acknowledged, never lost) | ")
                .append(r.outcomeUnknown().size()).append(" |\n");
        md.append("| on the new primary but never acknowledged (in flight at the kill: not a loss) | ")
                .append(r.unacknowledgedStored().size()).append(" |\n");
        md.append("| kill (node down) → first acknowledged write (ms) | ")
                .append(r.writeOutageMs() < 0 ? "writes did not resume" : Long.toString(r.writeOutageMs())).append(" |\n");
        md.append("| standbys streaming from the new primary when counted | ").append(r.streamingStandbys()).append(" |\n");

        md.append("\n## Errors seen by clients\n\n");
        if (r.errors().isEmpty()) {
            md.append("none\n");
        } else {
            md.append("| kind | count |\n|---|---:|\n");
            for (Map.Entry<WriteLoad.Outcome, Long> e : r.errors().entrySet()) {
                md.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
            }
        }
        if (!r.lost().isEmpty()) {
            md.append("\nLost markers: ").append(r.lost().stream().limit(20).collect(Collectors.joining(", "))).append('\n');
        }
        if (!r.duplicated().isEmpty()) {
            md.append("\nDuplicated markers (rows): ").append(r.duplicated().entrySet().stream().limit(20)
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "))).append('\n');
        }

        md.append("\n## Verdict\n\n");
        if (!r.failed()) {
            md.append(o.mode().equals("quorum")
                    ? "PASSED (exit 0): no acknowledged write was lost and none was stored twice. Every commit waited "
                            + "for a standby's flush, and the promoted standby held every one of them.\n"
                    : "PASSED (exit 0): no acknowledged write was lost this time, none stored twice. Async mode "
                            + "acknowledges a commit before any standby has it, so a crash can lose the last writes: "
                            + "this run's count is the measurement, not a guarantee.\n");
        } else {
            md.append("FAILED (exit 1): ").append(r.lost().size()).append(" acknowledged write(s) lost, ")
                    .append(r.duplicated().size()).append(" write(s) stored more than once.");
            if (o.mode().equals("async") && r.duplicated().isEmpty()) {
                md.append(" Async mode acknowledges a commit before any standby has it: this is the loss it risks.");
            }
            md.append('\n');
        }

        if (rejoin != null) {
            md.append("\n## Rejoin (after the count)\n\n");
            if (rejoin.done()) {
                timelineRows(md, rejoin.events(), r.startMs(), r.killMs(), "| t (ms since load start) | since kill (ms) | event |\n|---:|---:|---|\n");
                md.append("\n`").append(r.oldPrimary()).append("` is a standby again; standbys streaming from `")
                        .append(r.newPrimary()).append("`: ").append(rejoin.streamingStandbys()).append('\n');
            } else {
                md.append("DID NOT COMPLETE (exit 2 unless the verdict above failed): ").append(rejoin.error()).append('\n');
            }
        } else if (o.rejoin()) {
            md.append("\n## Rejoin (after the count)\n\nnot run yet\n");
        }
        return md.toString();
    }

    /** The report of a drill that could not get as far as counting: its timeline, and why. */
    public static String incomplete(DrillIncomplete e) {
        StringBuilder md = new StringBuilder();
        header(md, e.options(), e.startMs());
        md.append('\n');
        long kill = e.timeline().stream().filter(ev -> ev.text().startsWith("kill -9 ")).mapToLong(Event::epochMs)
                .findFirst().orElse(Long.MAX_VALUE);
        timeline(md, e.timeline(), e.startMs(), kill);
        md.append("\n## Verdict\n\nINCOMPLETE (exit 2): the drill itself could not complete, so it says nothing about ")
                .append("the writes.\n\n```\n").append(e.getMessage()).append("\n```\n");
        return md.toString();
    }

    private static void header(StringBuilder md, DrillOptions o, long startMs) {
        md.append("# Failover drill: ").append(o.mode()).append(" mode\n\n");
        md.append("- run at ").append(Instant.ofEpochMilli(startMs)).append('\n');
        md.append("- ").append(o.writers()).append(" writers for ").append(o.duration().toSeconds())
                .append(" s through ").append(o.service()).append(" (`POST /user/register`, one unique marker per request)\n");
    }

    private static void timeline(StringBuilder md, List<Event> events, long startMs, long killMs) {
        timelineRows(md, events, startMs, killMs, "## Timeline\n\n| t (ms since load start) | since kill (ms) | event |\n|---:|---:|---|\n");
    }

    private static void timelineRows(StringBuilder md, List<Event> events, long startMs, long killMs, String head) {
        md.append(head);
        for (Event e : events) {
            md.append("| ").append(e.epochMs() - startMs).append(" | ")
                    .append(e.epochMs() >= killMs ? Long.toString(e.epochMs() - killMs) : "")
                    .append(" | ").append(e.text()).append(" |\n");
        }
    }
}
