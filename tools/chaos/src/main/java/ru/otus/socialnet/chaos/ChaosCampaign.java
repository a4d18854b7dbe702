package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import ru.otus.socialnet.cluster.ClusterControl;
import ru.otus.socialnet.cluster.DbAccess;

/**
 * The fault campaign: {@code --runs} runs, each on a fresh cluster with fresh service instances, under a
 * mixed load, while the {@link Nemesis} injects the faults the {@link FaultSchedule} draws from the
 * seed; then the {@link Checker} holds the ledger against the servers. Run by {@code bin/chaos}.
 *
 * <p>Exit status: 0 when every run passed, 1 when a run broke a promise (or the cluster could not
 * be healed), 2 when the harness itself failed.
 */
public final class ChaosCampaign {

    private final ChaosOptions options;
    private final DbAccess app;
    private final NodeSql sql;

    public ChaosCampaign(ChaosOptions options, DbAccess app, DbAccess superuser) {
        this.options = options;
        this.app = app;
        this.sql = new NodeSql(superuser);
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("compare")) {
            System.exit(compare(List.of(args).subList(1, args.length)));
        }
        ChaosOptions options;
        try {
            options = ChaosOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + "\n" + ChaosOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            DbAccess app = DbAccess.fromEnvironment();
            DbAccess superuser = new DbAccess(app.database(), "postgres",
                    System.getenv().getOrDefault("PG_SUPERUSER_PASSWORD", "postgres"));
            List<RunResult> runs = new ChaosCampaign(options, app, superuser).run();
            System.exit(exitCode(options, runs));
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
    }

    /** {@code bin/chaos compare DIR...}: the campaigns' outages side by side, on stdout. */
    static int compare(List<String> dirs) {
        if (dirs.isEmpty()) {
            System.err.println("usage: bin/chaos compare DIR [DIR...]   (campaign output directories, each with its "
                    + OutageTable.FILE + ")");
            return 2;
        }
        try {
            List<OutageTable.Campaign> campaigns = new ArrayList<>();
            for (String d : dirs) {
                campaigns.add(OutageTable.Campaign.read(Path.of(d)));
            }
            System.out.print(OutageTable.compare(campaigns));
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    static int exitCode(ChaosOptions o, List<RunResult> runs) {
        if (runs.stream().anyMatch(r -> r.harnessError() != null)) {
            return 2;
        }
        return runs.stream().allMatch(r -> r.passed(o.mode())) ? 0 : 1;
    }

    /** Every run, then the summary (out/summary.md, also on stdout). */
    public List<RunResult> run() throws IOException {
        Files.createDirectories(options.out());
        List<RunResult> results = new ArrayList<>();
        for (int i = 1; i <= options.runs(); i++) {
            RunResult r = runOnce(i);
            results.add(r);
            System.err.printf(Locale.ROOT, "chaos: run %d of %d %s%n", i, options.runs(),
                    r.harnessError() != null ? "HARNESS FAILED: " + r.harnessError()
                            : (r.passed(options.mode()) ? "passed" : "FAILED: " + String.join("; ", r.findings().violations(options.mode()))));
        }
        String summary = ChaosReport.summary(options, results);
        Files.writeString(options.out().resolve("summary.md"), summary);
        Files.writeString(options.out().resolve(OutageTable.FILE), OutageTable.csv(options.engine(), results));
        System.out.println(summary);
        System.out.println("reports: " + options.out().toAbsolutePath());
        return results;
    }

    RunResult runOnce(int number) throws IOException {
        Path dir = options.out().resolve(String.format(Locale.ROOT, "run-%02d", number));
        Files.createDirectories(dir);
        String runId = "c" + number + "x" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        long start = System.currentTimeMillis();
        ClusterControl cluster = new ClusterControl(options.clusterCommand(), clusterEnvironment(),
                ProcessBuilder.Redirect.appendTo(dir.resolve("cluster.log").toFile()));
        List<ServiceProcess> services = new CopyOnWriteArrayList<>();
        // Ctrl-C: no service and no cluster (namespaces included) may outlive the campaign.
        Thread cleanup = new Thread(() -> {
            stop(services);
            quietlyWipe(cluster);
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            System.err.printf(Locale.ROOT, "chaos: run %d of %d: a fresh %s cluster (%s mode)%n", number, options.runs(),
                    options.engine().cliName, options.mode());
            cluster.run("wipe");
            cluster.run("up");
            cluster.run("sync", options.mode());
            startServices(cluster, dir, services);
            return load(number, runId, start, dir, cluster, services);
        } catch (Exception e) {
            return new RunResult(number, runId, options.seed(), start, start, start, System.currentTimeMillis(), List.of(),
                    null, List.of(), e.getClass().getSimpleName() + ": " + e.getMessage(), false);
        } finally {
            stop(services);
            saveNodeLogs(dir.resolve("nodes"));
            quietlyWipe(cluster);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    /**
     * The service's instances, each a process of its own with the same jar and settings but its port,
     * one after the other (two JVMs starting at once on a small machine take as long as in turn).
     * One instance logs to service.log, several to service-1.log, service-2.log...
     */
    private void startServices(ClusterControl cluster, Path dir, List<ServiceProcess> services)
            throws IOException, InterruptedException {
        Map<String, String> environment = serviceEnvironment(cluster);
        List<URI> bases = options.services();
        for (int i = 0; i < bases.size(); i++) {
            int n = i + 1;
            environment.put("SERVER_PORT", Integer.toString(bases.get(i).getPort()));
            Path log = dir.resolve(bases.size() == 1 ? "service.log" : "service-" + n + ".log");
            ServiceProcess service = new ServiceProcess(n, options.serviceCommand(), environment, log, bases.get(i));
            services.add(service);
            service.start();
        }
    }

    private static void stop(List<ServiceProcess> services) {
        for (ServiceProcess service : services) {
            try {
                service.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private RunResult load(int number, String runId, long start, Path dir, ClusterControl cluster,
            List<ServiceProcess> services) throws Exception {
        Ledger ledger = new Ledger();
        ServiceClient client = new ServiceClient(new ServiceInstances(options.services()), Duration.ofSeconds(8),
                Duration.ofSeconds(5));
        Workload workload = new Workload(client, ledger, runId, options.sessions(), options.searchers());
        ClusterSteps steps = new ClusterSteps(cluster, dir.resolve("cluster.log"), options.engine().command);
        FaultSchedule schedule = new FaultSchedule(options.seed(), number, options.faults());
        List<FaultRecord> faults = new ArrayList<>();
        Map<String, Integer> stored = Map.of();
        boolean storedKnown = false;
        long loadStart;
        long loadEnd;
        Timelines timelines;
        Healer healer;
        try (ClusterWatch watch = new ClusterWatch(sql, cluster.nodes())) {
            watch.start();
            healer = Healer.of(options.engine(), steps, sql, watch, services, runId, options.network());
            Nemesis nemesis = new Nemesis(steps, healer, services);
            loadStart = System.currentTimeMillis();
            workload.start();
            long deadline = loadStart + options.duration().toMillis();
            Daemons.sleep(ChaosOptions.WARM_UP.toMillis());
            // A fault and its healing take ~10-20 s: none starts in the last 10 s.
            for (int n = 1; System.currentTimeMillis() < deadline - 10_000; n++) {
                Fault f = schedule.next();
                FaultRecord record = nemesis.inject(n, f);
                faults.add(record);
                if (!record.healed()) {
                    break; // a cluster that cannot be healed ends the run's faults: that is the finding
                }
                Daemons.sleep(Math.min(f.gapAfterMs(), deadline - System.currentTimeMillis()));
            }
            Daemons.sleep(deadline - System.currentTimeMillis());
            // The load ends when it is told to: the wait for the requests in flight is no outage.
            loadEnd = System.currentTimeMillis();
            workload.stop();
            try {
                healer.heal();
            } catch (Healer.Failure e) {
                System.err.println("chaos: the cluster is not whole at the end: " + e.getMessage());
            }
            try {
                String primary = settle(cluster);
                stored = sql.markerRows(primary, runId);
                storedKnown = true;
            } catch (SQLException | RuntimeException e) {
                System.err.println("chaos: cannot count the rows at the end: " + e.getMessage());
            }
            timelines = watch.timelines();
        }
        List<Op> ops = ledger.ops();
        ledger.writeCsv(dir.resolve("ledger.csv"));
        Findings findings = Checker.check(new Checker.Input(loadStart, loadEnd, ops, stored, storedKnown,
                healer.staleRows(), timelines, faults));
        RunResult partial = new RunResult(number, runId, options.seed(), start, loadStart, loadEnd, System.currentTimeMillis(),
                faults, findings, timelines.splitBrain(), null, false);
        String title = "chaos run " + number + ", " + options.mode() + " mode, seed " + options.seed() + ": "
                + (findings.passed(options.mode()) ? "passed" : String.join("; ", findings.violations(options.mode())));
        boolean plotted = TimelinePlot.draw(dir, partial, ops, title);
        RunResult result = new RunResult(number, runId, options.seed(), start, loadStart, loadEnd,
                System.currentTimeMillis(), faults, findings, timelines.splitBrain(), null, plotted);
        Files.writeString(dir.resolve("report.md"), ChaosReport.run(options, result));
        return result;
    }

    /** Waits (up to 30 s) until both standbys replayed everything the primary wrote; returns the primary's address. */
    private String settle(ClusterControl cluster) throws SQLException {
        String primary = cluster.primary().authority();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            long[] r = sql.replication(primary);
            if (r[0] == 2 && r[1] == 2) {
                break;
            }
            Daemons.sleep(250);
        }
        return primary;
    }

    /**
     * The cluster command's settings: its directory and ports (PostgreSQL on the campaign's cluster port
     * and the two after it, whichever the engine), the commit mode, the network.
     */
    private Map<String, String> clusterEnvironment() {
        Map<String, String> env = new HashMap<>();
        String dir = options.clusterDir().toAbsolutePath().toString();
        switch (options.engine()) {
            case LOCAL -> {
                env.put("PGCLUSTER_DIR", dir);
                env.put("PGCLUSTER_PORT", Integer.toString(options.clusterPort()));
                env.put("PG_SYNC_MODE", options.mode());
            }
            case PATRONI -> {
                env.put("HA_DIR", dir);
                env.put("HA_PORT", Integer.toString(options.clusterPort() - ChaosOptions.PATRONI_PG_OFFSET));
                env.put("HA_SYNC_MODE", options.mode());
                env.put("HA_HAPROXY", "0"); // the service lists every node itself (multi-host), as in PatroniFailoverIT
            }
        }
        env.put("PGCLUSTER_NETNS", options.network() ? "1" : "0");
        // A hung (SIGSTOPped) node must not hang the cluster command's own probes of it.
        env.put("PGCONNECT_TIMEOUT", "3");
        return env;
    }

    /** The service's settings: the cluster's own ({@code env}: every node a candidate primary); the port is each instance's. */
    private Map<String, String> serviceEnvironment(ClusterControl cluster) {
        Map<String, String> env = new HashMap<>();
        for (String line : cluster.run("env")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        env.put("PG_PASSWORD", app.password());
        return env;
    }

    /**
     * The servers' and agents' own logs (every *.log in the cluster's directory and the one below it:
     * postgres.log, patroni.log, etcd.log), kept in the run's directory before the wipe deletes them:
     * what a node did during a fault is told there, not in the cluster command's output.
     */
    private void saveNodeLogs(Path to) {
        Path from = options.clusterDir().toAbsolutePath();
        try (Stream<Path> files = Files.find(from, 2, (p, a) -> a.isRegularFile() && p.getFileName().toString().endsWith(".log"))) {
            for (Path p : files.toList()) {
                Files.createDirectories(to);
                Files.copy(p, to.resolve(from.relativize(p).toString().replace('/', '-')),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("chaos: could not keep the nodes' logs: " + e.getMessage());
        }
    }

    private static void quietlyWipe(ClusterControl cluster) {
        try {
            cluster.run("wipe");
        } catch (RuntimeException e) {
            System.err.println("chaos: could not wipe the campaign's cluster: " + e.getMessage());
        }
    }
}
