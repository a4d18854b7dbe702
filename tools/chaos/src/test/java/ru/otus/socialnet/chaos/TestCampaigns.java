package ru.otus.socialnet.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import ru.otus.socialnet.cluster.DbAccess;

/** What the suite's real campaigns share: one run, two service instances from the test classpath, the suite's roles. */
final class TestCampaigns {

    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /** The suite's base port (TEST_CLUSTER_PORT): each campaign takes its own offsets from it. */
    static final int PORT = Integer.parseInt(System.getenv().getOrDefault("TEST_CLUSTER_PORT", "25432"));

    private TestCampaigns() {
    }

    /**
     * One run of DURATION on ENGINE's cluster command (on a network of its own, PREFIX and SUBNET, when
     * the tests run as root) in target/NAME-cluster, reports in target/NAME.
     */
    static ChaosOptions options(Engine engine, String name, Set<FaultKind> menu, Duration duration, long seed,
            int clusterPort, int servicePort, String prefix, String subnet) {
        return new ChaosOptions("quorum", engine, 1, duration, seed, menu, 3, 1, ROOT, servicePort, 2, Path.of("target/" + name),
                Path.of("target/" + name + "-cluster").toAbsolutePath(), clusterPort,
                List.of("env", "PGCLUSTER_NETNS_PREFIX=" + prefix, "PGCLUSTER_NETNS_SUBNET=" + subnet,
                        Path.of(engine.command).toAbsolutePath().toString()),
                // the service from the test classpath: in 'verify' the jar is built after the tests
                List.of(ChaosOptions.javaCommand(), "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                        "ru.otus.socialnet.SocialNetApplication"));
    }

    static List<RunResult> run(ChaosOptions options) throws Exception {
        return new ChaosCampaign(options, new DbAccess("socialnet", "socialnet", "socialnet"),
                new DbAccess("socialnet", "postgres", "postgres")).run();
    }
}
