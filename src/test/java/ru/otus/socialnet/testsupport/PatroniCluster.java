package ru.otus.socialnet.testsupport;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Patroni-managed cluster (etcd, node1..node3, HAProxy) through {@code bin/patroni-cluster},
 * the script users run. It lives in target/patroni-cluster on its own ports: base
 * {@code TEST_PATRONI_PORT} (26000 by default; PostgreSQL on base+432..434, see the script).
 */
public final class PatroniCluster {

    private final Path repo;
    private final Map<String, String> env;

    private PatroniCluster(Path repo, Map<String, String> env) {
        this.repo = repo;
        this.env = env;
    }

    /** Wipes whatever a previous run left, then starts a fresh cluster (synchronous mode on). */
    public static PatroniCluster startFresh() {
        Path repo = Path.of("").toAbsolutePath();
        String port = System.getProperty("test.patroni.port", System.getenv().getOrDefault("TEST_PATRONI_PORT", "26000"));
        PatroniCluster cluster = new PatroniCluster(repo, Map.of(
                "HA_DIR", repo.resolve("target/patroni-cluster").toString(),
                "HA_PORT", port,
                "HA_SYNC_MODE", "quorum"));
        cluster.cli("wipe");
        long start = System.nanoTime();
        cluster.cli("up");
        System.out.printf("patroni cluster up in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return cluster;
    }

    /** Runs {@code bin/patroni-cluster ARGS}; fails the test when it fails. */
    public String cli(String... args) {
        return Scripts.run(repo.resolve("bin/patroni-cluster"), env, args);
    }

    /** Node name to "host:port role" as the script's {@code nodes} reports it, in node order. */
    public Map<String, String[]> nodes() {
        Map<String, String[]> nodes = new LinkedHashMap<>();
        for (String line : cli("nodes").strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            nodes.put(f[0], new String[] {f[1], f[2]});
        }
        return nodes;
    }

    /** Every node's host:port, comma-separated: the multi-host PG_AUTHORITY_MASTER. */
    public String allAuthorities() {
        return nodes().values().stream().map(n -> n[0]).collect(Collectors.joining(","));
    }

    /** The current replicas' host:port, comma-separated: PG_AUTHORITY_REPLICA. */
    public String replicaAuthorities() {
        return nodes().values().stream().filter(n -> n[1].equals("replica")).map(n -> n[0])
                .collect(Collectors.joining(","));
    }

    /** The node Patroni calls the leader now, or null. */
    public String leader() {
        return nodes().entrySet().stream().filter(e -> e.getValue()[1].equals("primary"))
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    public String authority(String node) {
        return nodes().get(node)[0];
    }

    /** A superuser connection to one node. */
    public Connection superuser(String node) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + authority(node) + "/" + TestCluster.DATABASE
                + "?connectTimeout=5", "postgres", TestCluster.SUPERUSER_PASSWORD);
    }

    public void wipe() {
        cli("wipe");
    }
}
