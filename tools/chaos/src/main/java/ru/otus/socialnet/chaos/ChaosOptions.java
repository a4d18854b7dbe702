package ru.otus.socialnet.chaos;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * What a campaign does.
 *
 * @param mode           commit mode of every run: {@code quorum} or {@code async}
 * @param engine         what keeps the cluster available: the project's scripted failover or Patroni
 * @param runs           how many runs, each on a fresh cluster
 * @param duration       load time of each run
 * @param seed           fixes every run's faults (kinds, order, parameters)
 * @param faults         the menu the schedule draws from
 * @param sessions       writer sessions (each also reads its own writes back with its token)
 * @param searchers      plain searchers
 * @param network        the cluster on a network (namespaces; root): partitions and slow links are possible
 * @param port           the HTTP port of the service's first instance; the others' follow it
 * @param instances      how many instances of the service run side by side (the client fails over between
 *                       them as a load balancer would; a restart fault restarts one of them)
 * @param out            where reports go: {@code run-NN/} per run and {@code summary.md}
 * @param clusterDir     PGCLUSTER_DIR of the campaign's cluster (wiped before and after every run)
 * @param clusterPort    its first PostgreSQL port (PGCLUSTER_PORT; Patroni's HA_PORT is 432 below it)
 * @param clusterCommand bin/cluster or bin/patroni-cluster
 * @param serviceCommand how to start the service (it gets its settings from the environment)
 */
public record ChaosOptions(String mode, Engine engine, int runs, Duration duration, long seed, Set<FaultKind> faults, int sessions,
                           int searchers, boolean network, int port, int instances, Path out, Path clusterDir, int clusterPort,
                           List<String> clusterCommand, List<String> serviceCommand) {

    /** Load before the first fault, so the report has a baseline to compare with. */
    static final Duration WARM_UP = Duration.ofSeconds(5);

    public ChaosOptions {
        if (!mode.equals("quorum") && !mode.equals("async")) {
            throw new IllegalArgumentException("--mode must be quorum or async, not " + mode);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1");
        }
        if (duration.toSeconds() < 20) {
            throw new IllegalArgumentException("--duration must be at least 20 s (a fault and its healing take 10-20 s)");
        }
        if (sessions < 1 || searchers < 0) {
            throw new IllegalArgumentException("--sessions must be at least 1 and --searchers at least 0");
        }
        if (!network && faults.stream().anyMatch(k -> k.network)) {
            throw new IllegalArgumentException("--no-network: the cluster runs on 127.0.0.1 and cannot take network faults ("
                    + FaultKind.names(EnumSet.copyOf(faults.stream().filter(k -> k.network).toList())) + ")");
        }
        if (instances < 1 || instances > 9) {
            throw new IllegalArgumentException("--instances must be 1-9, not " + instances);
        }
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("--faults is empty");
        }
        List<FaultKind> foreign = faults.stream().filter(k -> !k.engines.contains(engine)).sorted().toList();
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException("--cluster " + engine.cliName + " cannot take " + FaultKind.names(EnumSet.copyOf(foreign))
                    + "; its menu is: " + FaultKind.names(FaultKind.menu(engine, network)));
        }
        if (engine == Engine.PATRONI && clusterPort - PATRONI_PG_OFFSET < 1024) {
            throw new IllegalArgumentException("--cluster-port " + clusterPort + ": Patroni's ports start 432 below it, under 1024");
        }
        faults = Set.copyOf(faults);
        clusterCommand = List.copyOf(clusterCommand);
        serviceCommand = List.copyOf(serviceCommand);
    }

    /** The instances' addresses: ports {@code port}, {@code port + 1}... */
    List<URI> services() {
        return IntStream.range(0, instances).mapToObj(i -> URI.create("http://127.0.0.1:" + (port + i))).toList();
    }

    /** bin/patroni-cluster's PostgreSQL ports are HA_PORT + 432...434: the campaign gives both engines the same ones. */
    static final int PATRONI_PG_OFFSET = 432;

    static final String USAGE = """
            usage: bin/chaos [--cluster local|patroni] --mode quorum|async --runs N --duration S --seed K
                             [--faults kill-primary,pause,...|all] [--sessions N] [--searchers N]
                             [--no-network] [--port P] [--instances N] [--out DIR]
                   bin/chaos compare DIR [DIR...]   (the campaigns' outages side by side)
            the fault menu (local): %s
            the fault menu (patroni): %s""".formatted(FaultKind.names(FaultKind.menu(Engine.LOCAL, true)),
            FaultKind.names(FaultKind.menu(Engine.PATRONI, true)));

    /**
     * Parses the command line of {@code bin/chaos}; the cluster's and the service's whereabouts come
     * from {@code --cluster-dir}, {@code --cluster-port}, {@code --cluster-command} and {@code --service-jar}.
     */
    public static ChaosOptions parse(String[] args) {
        String mode = "quorum";
        Engine engine = Engine.LOCAL;
        int runs = 1;
        long duration = 120;
        Long seed = null;
        String faults = null;
        int sessions = 4;
        int searchers = 2;
        boolean network = true;
        int port = 18095;
        int instances = 2;
        Path out = null;
        Path clusterDir = Path.of(".chaos/cluster");
        int clusterPort = 17432;
        String clusterCommand = null;
        String jar = "service/target/socialnet-service-exec.jar";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-network")) {
                network = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--mode" -> mode = v;
                case "--cluster" -> engine = Engine.of(v);
                case "--runs" -> runs = Integer.parseInt(v);
                case "--duration" -> duration = Long.parseLong(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--faults" -> faults = v;
                case "--sessions" -> sessions = Integer.parseInt(v);
                case "--searchers" -> searchers = Integer.parseInt(v);
                case "--port" -> port = Integer.parseInt(v);
                case "--instances" -> instances = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                case "--cluster-dir" -> clusterDir = Path.of(v);
                case "--cluster-port" -> clusterPort = Integer.parseInt(v);
                case "--cluster-command" -> clusterCommand = v;
                case "--service-jar" -> jar = v;
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        long s = seed != null ? seed : System.currentTimeMillis() % 100_000;
        Set<FaultKind> menu = faults != null && !faults.strip().equals("all") ? FaultKind.parse(faults) : defaultMenu(engine, network);
        if (out == null) {
            out = Path.of(".chaos", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + (engine == Engine.LOCAL ? "" : "-" + engine.cliName) + "-" + mode + "-seed" + s);
        }
        List<String> service = new ArrayList<>(List.of(javaCommand(), "-Xmx512m", "-jar", jar));
        return new ChaosOptions(mode, engine, runs, Duration.ofSeconds(duration), s, menu, sessions, searchers, network, port,
                instances, out, clusterDir, clusterPort, List.of(clusterCommand != null ? clusterCommand : engine.command), service);
    }

    /** Every fault of the engine; without the network, every one but the network's. */
    static Set<FaultKind> defaultMenu(Engine engine, boolean network) {
        return FaultKind.menu(engine, network);
    }

    /** The java that runs the campaign runs the service too. */
    static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The command line that repeats this campaign. */
    String commandLine() {
        return "bin/chaos " + (engine == Engine.LOCAL ? "" : "--cluster " + engine.cliName + " ") + "--mode " + mode + " --runs " + runs + " --duration " + duration.toSeconds() + " --seed " + seed
                + (faults.equals(defaultMenu(engine, network)) ? "" : " --faults " + FaultKind.names(EnumSet.copyOf(faults)))
                + " --sessions " + sessions + " --searchers " + searchers + " --instances " + instances
                + (network ? "" : " --no-network");
    }
}
