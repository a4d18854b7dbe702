package ru.otus.socialnet.drill;

import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

import ru.otus.socialnet.drill.ClusterControl.Event;

/** The drill's Markdown report: timeline, counts, verdict. */
public final class DrillReport {

    private DrillReport() {
    }

    public static String markdown(DrillResult r) {
        DrillOptions o = r.options();
        StringBuilder md = new StringBuilder();
        md.append("# Failover drill: ").append(o.mode()).append(" mode\n\n");
        md.append("- run at ").append(Instant.ofEpochMilli(r.startMs())).append('\n');
        md.append("- ").append(o.writers()).append(" writers for ").append(o.duration().toSeconds())
                .append(" s through ").append(o.service()).append(" (`POST /user/register`, one unique marker per request)\n");
        md.append("- primary `").append(r.oldPrimary()).append("` killed with `kill -9` after ")
                .append(o.killAfter().toSeconds()).append(" s; new primary `").append(r.newPrimary()).append("`\n\n");

        md.append("## Timeline\n\n| t (ms since load start) | since kill (ms) | event |\n|---:|---:|---|\n");
        for (Event e : r.timeline()) {
            md.append("| ").append(e.epochMs() - r.startMs()).append(" | ")
                    .append(e.epochMs() >= r.killMs() ? Long.toString(e.epochMs() - r.killMs()) : "")
                    .append(" | ").append(e.text()).append(" |\n");
        }

        md.append("\n## Writes\n\n| | count |\n|---|---:|\n");
        md.append("| requests sent | ").append(r.attempts()).append(" |\n");
        md.append("| acknowledged (HTTP 200 with `user_id`) | ").append(r.acknowledged().size()).append(" |\n");
        md.append("| **acknowledged but missing on the new primary (lost)** | **").append(r.lost().size()).append("** |\n");
        md.append("| on the new primary but never acknowledged (in flight at the kill: not a loss) | ")
                .append(r.unacknowledgedStored().size()).append(" |\n");
        md.append("| kill → first acknowledged write (ms) | ")
                .append(r.writeOutageMs() < 0 ? "writes did not resume" : Long.toString(r.writeOutageMs())).append(" |\n");
        md.append("| standbys streaming from the new primary at the end | ").append(r.streamingStandbys()).append(" |\n");

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

        md.append("\n## Verdict\n\n");
        if (r.failed()) {
            md.append("FAILED: quorum mode lost ").append(r.lost().size()).append(" acknowledged write(s).\n");
        } else if (o.mode().equals("quorum")) {
            md.append("PASSED: no acknowledged write was lost. Every commit waited for a standby's flush, and the ")
                    .append("promoted standby held every one of them.\n");
        } else {
            md.append(r.lost().isEmpty() ? "No acknowledged write was lost this time. " : r.lost().size()
                    + " acknowledged write(s) lost. ").append("Async mode acknowledges a commit before any standby ")
                    .append("has it, so a crash can lose the last writes; this run's count is the measurement, not a ")
                    .append("guarantee.\n");
        }
        return md.toString();
    }
}
