package ru.otus.socialnet.testsupport;

import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;

import ru.otus.socialnet.testsupport.TestCluster.Node;

/** The service's own view of its replicas, read from /actuator/health as an operator would. */
public final class RoutingHealth {

    private final Api api;
    private final TestCluster cluster;

    public RoutingHealth(Api api, TestCluster cluster) {
        this.api = api;
        this.cluster = cluster;
    }

    /** The "replication" component of /actuator/health. */
    public JsonNode replication() {
        return api.get("/actuator/health").json().path("components").path("replication");
    }

    public String stateOf(Node node) {
        return replication().path("details").path("nodes").path(cluster.authority(node)).path("state").asString();
    }

    /** Polls until the service sees {@code node} in {@code state} (a re-probe can take a backoff). */
    public void await(Node node, String state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String seen = null;
        while (System.nanoTime() < deadline) {
            seen = stateOf(node);
            if (state.equals(seen)) {
                return;
            }
            TestCluster.sleep(100);
        }
        throw new AssertionError(node + " did not become " + state + " in 30 s; last seen " + seen
                + "\n" + replication());
    }

    public void awaitBothInRotation() {
        await(Node.REPLICA1, "IN_ROTATION");
        await(Node.REPLICA2, "IN_ROTATION");
    }

    /**
     * The whole cluster as the service sees it after an earlier test's faults: writable, and every
     * standby it knows of reading (a service configured with the primary alone knows of none).
     */
    public void awaitAllServing() {
        await(Node.PRIMARY, "PRIMARY");
        for (Node standby : new Node[] {Node.REPLICA1, Node.REPLICA2}) {
            if (replication().path("details").path("nodes").has(cluster.authority(standby))) {
                await(standby, "IN_ROTATION");
            }
        }
    }
}
