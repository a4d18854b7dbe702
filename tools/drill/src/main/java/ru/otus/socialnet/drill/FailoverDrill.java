package ru.otus.socialnet.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import ru.otus.socialnet.cluster.ClusterControl.Event;
import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.cluster.DbAccess;
import ru.otus.socialnet.drill.WriteLoad.Attempt;
import ru.otus.socialnet.drill.WriteLoad.Outcome;

/**
 * The failover drill: write load through the service, {@code kill -9} of the primary part-way,
 * promotion of the freshest replica and repointing of the other (by the cluster command), then
 * the count — every acknowledged write must be on the new primary, and no write twice. The report
 * and its verdict are written before the optional rejoin, so a rejoin that fails cannot take the
 * result with it.
 *
 * <p>Exit status of {@code bin/drill}: 0 all good, 1 an acknowledged write was lost or a write was
 * stored twice, 2 the drill itself could not complete (its report says how far it got).
 *
 * <p>Run by {@code bin/drill}, which starts the cluster and the service first; the tests call
 * {@link #runAndReport} directly.
 */
public final class FailoverDrill {

    private static final int USAGE = 2;

    private final ClusterControl cluster;
    private final DbAccess db;
    private final List<Event> timeline = new ArrayList<>();

    /** A whole run: the result (null when incomplete), the rejoin (null when not asked for), the exit status. */
    public record DrillRun(DrillResult result, DrillRejoin rejoin, DrillIncomplete incomplete, String report, int exitCode) {
    }

    public FailoverDrill(ClusterControl cluster, DbAccess db) {
        this.cluster = cluster;
        this.db = db;
    }

    public static void main(String[] args) {
        DrillOptions options;
        String command = "bin/cluster";
        try {
            List<String> rest = new ArrayList<>(List.of(args));
            int i = rest.indexOf("--cluster-command");
            if (i >= 0) {
                command = rest.remove(i + 1);
                rest.remove(i);
            }
            options = DrillOptions.parse(rest.toArray(String[]::new));
        } catch (RuntimeException e) {
            System.err.println("drill: " + e.getMessage());
            System.exit(USAGE);
            return;
        }
        int exit;
        try {
            FailoverDrill drill = new FailoverDrill(new ClusterControl(List.of(command), Map.of()), DbAccess.fromEnvironment());
            DrillRun run = drill.runAndReport(options);
            System.out.println(run.report());
            System.out.println("report: " + options.report());
            exit = run.exitCode();
        } catch (RuntimeException | InterruptedException e) {
            System.err.println("drill: could not complete: " + e);
            exit = 2;
        }
        System.exit(exit);
    }

    /**
     * The drill, its report written to {@code options.report()} as soon as the writes are counted
     * (and again with the rejoin's outcome), and the exit status.
     */
    public DrillRun runAndReport(DrillOptions options) throws InterruptedException {
        DrillResult result;
        try {
            result = run(options);
        } catch (DrillIncomplete e) {
            String report = DrillReport.incomplete(e);
            write(options.report(), report);
            return new DrillRun(null, null, e, report, 2);
        }
        String report = DrillReport.markdown(result, null);
        write(options.report(), report);
        DrillRejoin rejoin = null;
        if (options.rejoin()) {
            rejoin = rejoin(result);
            report = DrillReport.markdown(result, rejoin);
            write(options.report(), report);
        }
        int exit = result.failed() ? 1 : rejoin != null && !rejoin.done() ? 2 : 0;
        return new DrillRun(result, rejoin, null, report, exit);
    }

    /** Load, kill, failover, count. Throws {@link DrillIncomplete} when it cannot get that far. */
    public DrillResult run(DrillOptions options) throws InterruptedException {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        long start = System.currentTimeMillis();
        WriteLoad load = new WriteLoad(options.service(), runId, options.writers(), Duration.ofSeconds(10));
        String step = "find the primary";
        try {
            ClusterControl.Node primary = cluster.primary();
            step = "set the sync mode";
            cluster.run("sync", options.mode());
            note("sync mode " + options.mode() + "; primary is " + primary.name() + " (" + primary.authority() + ")");

            step = "run the write load";
            start = System.currentTimeMillis();
            load.start();
            note("write load started: " + options.writers() + " writers through " + options.service());

            sleepUntil(start + options.killAfter().toMillis());
            long requested = note("kill -9 " + primary.name() + " (postmaster and its processes)");
            step = "kill " + primary.name();
            List<Event> killed = cluster.events("kill", primary.name());
            timeline.addAll(killed);
            // The outage is measured from the moment the node was down (the cluster command's
            // event), not from the request: a write sent in between was still the old primary's.
            long kill = killed.stream().filter(e -> e.text().contains(" is down")).mapToLong(Event::epochMs)
                    .findFirst().orElse(requested);
            step = "fail over";
            timeline.addAll(cluster.events("failover"));

            sleepUntil(start + options.duration().toMillis());
            load.stop();
            note("write load stopped");

            step = "count the writes on the new primary";
            ClusterControl.Node newPrimary = cluster.primary();
            return count(options, runId, primary.name(), newPrimary, load.attempts(), start, kill);
        } catch (RuntimeException e) {
            load.stop();
            note("the drill stopped: could not " + step);
            throw new DrillIncomplete("could not " + step + ": " + e.getMessage(), options, sorted(), start, e);
        }
    }

    /** The killed primary back as a standby of the new one (bin/cluster rejoin). Never throws. */
    public DrillRejoin rejoin(DrillResult result) {
        try {
            List<Event> events = cluster.events("rejoin", result.oldPrimary());
            ClusterControl.Node primary = cluster.primary();
            return new DrillRejoin(true, events, streamingStandbys(primary), null);
        } catch (RuntimeException e) {
            return new DrillRejoin(false, List.of(), -1, e.getMessage());
        }
    }

    private DrillResult count(DrillOptions options, String runId, String oldPrimary, ClusterControl.Node newPrimary,
                              List<Attempt> attempts, long start, long kill) {
        Set<String> acknowledged = new TreeSet<>();
        Set<String> outcomeUnknown = new TreeSet<>();
        Map<Outcome, Long> errors = new EnumMap<>(Outcome.class);
        long firstAckAfterKill = -1;
        for (Attempt a : attempts) {
            if (a.outcome() == Outcome.ACKNOWLEDGED) {
                acknowledged.add(a.marker());
                if (a.startMs() >= kill && (firstAckAfterKill < 0 || a.endMs() < firstAckAfterKill)) {
                    firstAckAfterKill = a.endMs();
                }
            } else {
                errors.merge(a.outcome(), 1L, Long::sum);
                if (a.outcome() == Outcome.OUTCOME_UNKNOWN_504) {
                    outcomeUnknown.add(a.marker());
                }
            }
        }
        if (firstAckAfterKill > 0) {
            timeline.add(new Event(firstAckAfterKill, "first acknowledged write after the kill"));
        }
        Map<String, Long> rows = storedMarkers(newPrimary, runId);
        Set<String> lost = new TreeSet<>(acknowledged);
        lost.removeAll(rows.keySet());
        Map<String, Long> duplicated = new TreeMap<>();
        rows.forEach((marker, n) -> {
            if (n > 1) {
                duplicated.put(marker, n);
            }
        });
        Set<String> unacknowledged = new TreeSet<>(rows.keySet());
        unacknowledged.removeAll(acknowledged);
        return new DrillResult(runId, options, oldPrimary, newPrimary.name(), attempts.size(), acknowledged, lost,
                duplicated, unacknowledged, outcomeUnknown, errors, sorted(), start, kill, firstAckAfterKill,
                streamingStandbys(newPrimary));
    }

    /** Rows per marker of this run on the new primary. */
    private Map<String, Long> storedMarkers(ClusterControl.Node primary, String runId) {
        Map<String, Long> rows = new HashMap<>();
        try (Connection c = connect(primary);
             PreparedStatement st = c.prepareStatement("SELECT second_name, count(*) FROM users"
                     + " WHERE first_name = ? AND second_name LIKE ? GROUP BY second_name")) {
            st.setString(1, WriteLoad.FIRST_NAME);
            st.setString(2, runId + "-%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count writes on " + primary.authority() + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private long streamingStandbys(ClusterControl.Node primary) {
        try (Connection c = connect(primary);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read pg_stat_replication on " + primary.authority() + ": "
                    + e.getMessage(), e);
        }
    }

    private Connection connect(ClusterControl.Node node) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(node.authority())
                + "?connectTimeout=5&socketTimeout=30", db.user(), db.password());
    }

    private List<Event> sorted() {
        List<Event> events = new ArrayList<>(timeline);
        events.sort((a, b) -> Long.compare(a.epochMs(), b.epochMs()));
        return List.copyOf(events);
    }

    private long note(String text) {
        long now = System.currentTimeMillis();
        timeline.add(new Event(now, text));
        System.err.println("drill: " + text);
        return now;
    }

    private static void write(Path report, String text) {
        try {
            Path parent = report.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(report, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + report, e);
        }
    }

    private static void sleepUntil(long epochMs) throws InterruptedException {
        long wait = epochMs - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
