package ru.otus.socialnet.testsupport;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import ru.otus.socialnet.cluster.ClusterControl;

/**
 * The Patroni-managed cluster (etcd, node1..node3, HAProxy) through {@code bin/patroni-cluster},
 * the script users run, driven like the manual cluster (same subcommands, {@link ClusterControl}).
 * It lives in target/patroni-cluster on its own ports: base {@code TEST_PATRONI_PORT} (26000 by
 * default; PostgreSQL on base+432..434, see the script).
 */
public final class PatroniCluster {

    private final ClusterControl control;

    private PatroniCluster(ClusterControl control) {
        this.control = control;
    }

    /** Wipes whatever a previous run left, then starts a fresh cluster (synchronous mode on). */
    public static PatroniCluster startFresh() {
        Path repo = Path.of("").toAbsolutePath();
        String port = System.getProperty("test.patroni.port", System.getenv().getOrDefault("TEST_PATRONI_PORT", "26000"));
        PatroniCluster cluster = new PatroniCluster(new ClusterControl(
                List.of(repo.resolve("bin/patroni-cluster").toString()),
                Map.of("HA_DIR", repo.resolve("target/patroni-cluster").toString(), "HA_PORT", port,
                        "HA_SYNC_MODE", "quorum")));
        cluster.control.run("wipe");
        long start = System.nanoTime();
        cluster.control.run("up");
        System.out.printf("patroni cluster up in %.1f s%n", (System.nanoTime() - start) / 1e9);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::wipe));
        return cluster;
    }

    public ClusterControl control() {
        return control;
    }

    /** Every node's host:port: the multi-host PG_AUTHORITY_MASTER. */
    public String allAuthorities() {
        return control.nodes().stream().map(ClusterControl.Node::authority).collect(Collectors.joining(","));
    }

    /** The current replicas' host:port: PG_AUTHORITY_REPLICA. */
    public String replicaAuthorities() {
        return control.nodes().stream().filter(n -> n.role().equals("replica")).map(ClusterControl.Node::authority)
                .collect(Collectors.joining(","));
    }

    /** Stops everything and deletes the data. */
    public void wipe() {
        control.run("wipe");
    }
}
