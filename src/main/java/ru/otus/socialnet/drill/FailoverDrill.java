package ru.otus.socialnet.drill;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import ru.otus.socialnet.drill.ClusterControl.Event;
import ru.otus.socialnet.drill.WriteLoad.Attempt;
import ru.otus.socialnet.drill.WriteLoad.Outcome;

/**
 * The failover drill: write load through the service, {@code kill -9} of the primary part-way,
 * promotion of the freshest replica and repointing of the other (by the cluster command), then
 * the count — every acknowledged write must be on the new primary.
 *
 * <p>Run by {@code bin/drill}, which starts the cluster and the service first; the tests call
 * {@link #run} directly.
 */
public final class FailoverDrill {

    private final ClusterControl cluster;
    private final DbAccess db;
    private final List<Event> timeline = new ArrayList<>();

    /** How the drill reads the new primary to count writes (the service's own database role). */
    public record DbAccess(String database, String user, String password) {
        public static DbAccess fromEnvironment() {
            Map<String, String> env = System.getenv();
            return new DbAccess(env.getOrDefault("PG_DATABASE", "socialnet"), env.getOrDefault("PG_USER", "socialnet"),
                    env.getOrDefault("PG_PASSWORD", "socialnet"));
        }
    }

    public FailoverDrill(ClusterControl cluster, DbAccess db) {
        this.cluster = cluster;
        this.db = db;
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        String command = "bin/cluster";
        int i = rest.indexOf("--cluster-command");
        if (i >= 0) {
            command = rest.remove(i + 1);
            rest.remove(i);
        }
        DrillOptions options = DrillOptions.parse(rest.toArray(String[]::new));
        FailoverDrill drill = new FailoverDrill(new ClusterControl(List.of(command), Map.of()), DbAccess.fromEnvironment());
        DrillResult result = drill.run(options);
        String report = DrillReport.markdown(result);
        Files.createDirectories(options.report().toAbsolutePath().getParent());
        Files.writeString(options.report(), report);
        System.out.println(report);
        System.out.println("report: " + options.report());
        System.exit(result.failed() ? 1 : 0);
    }

    public DrillResult run(DrillOptions options) throws InterruptedException {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        ClusterControl.Node primary = cluster.primary();
        cluster.run("sync", options.mode());
        note("sync mode " + options.mode() + "; primary is " + primary.name() + " (" + primary.authority() + ")");

        WriteLoad load = new WriteLoad(options.service(), runId, options.writers(), Duration.ofSeconds(10));
        long start = System.currentTimeMillis();
        load.start();
        note("write load started: " + options.writers() + " writers through " + options.service());

        sleepUntil(start + options.killAfter().toMillis());
        long kill = note("kill -9 " + primary.name() + " (postmaster and its processes)");
        timeline.addAll(cluster.events("kill", primary.name()));
        timeline.addAll(cluster.events("failover"));

        sleepUntil(start + options.duration().toMillis());
        load.stop();
        note("write load stopped");
        if (options.rejoin()) {
            timeline.addAll(cluster.events("rejoin", primary.name()));
        }

        ClusterControl.Node newPrimary = cluster.primary();
        List<Attempt> attempts = load.attempts();
        Set<String> acknowledged = new TreeSet<>();
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
            }
        }
        if (firstAckAfterKill > 0) {
            timeline.add(new Event(firstAckAfterKill, "first acknowledged write after the kill"));
        }
        Set<String> stored = storedMarkers(newPrimary, runId);
        Set<String> lost = new TreeSet<>(acknowledged);
        lost.removeAll(stored);
        Set<String> unacknowledged = new TreeSet<>(stored);
        unacknowledged.removeAll(acknowledged);
        timeline.sort((a, b) -> Long.compare(a.epochMs(), b.epochMs()));
        return new DrillResult(options, primary.name(), newPrimary.name(), attempts.size(), acknowledged, lost,
                unacknowledged, errors, List.copyOf(timeline), start, kill, firstAckAfterKill,
                streamingStandbys(newPrimary));
    }

    /** The markers of this run that the new primary has. */
    private Set<String> storedMarkers(ClusterControl.Node primary, String runId) {
        Set<String> markers = new HashSet<>();
        try (Connection c = connect(primary);
             PreparedStatement st = c.prepareStatement(
                     "SELECT second_name FROM users WHERE first_name = ? AND second_name LIKE ?")) {
            st.setString(1, WriteLoad.FIRST_NAME);
            st.setString(2, runId + "-%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    markers.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count writes on " + primary.authority() + ": " + e.getMessage(), e);
        }
        return markers;
    }

    private long streamingStandbys(ClusterControl.Node primary) {
        try (Connection c = connect(primary);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connect(ClusterControl.Node node) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + node.authority() + "/" + db.database(),
                db.user(), db.password());
    }

    private long note(String text) {
        long now = System.currentTimeMillis();
        timeline.add(new Event(now, text));
        System.err.println("drill: " + text);
        return now;
    }

    private static void sleepUntil(long epochMs) throws InterruptedException {
        long wait = epochMs - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
