package ru.otus.socialnet.routing.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** A node's state machine: lag bounds with hysteresis, bans with backoff (the role decision: RoleDecisionTest). */
class NodeTest {

    private static final RoutingProperties SETTINGS = new RoutingProperties(Duration.ofSeconds(1),
            DataSize.ofMegabytes(16), DataSize.ofMegabytes(4), Duration.ofSeconds(10), Duration.ofSeconds(3),
            Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofMillis(200), 3, Duration.ofSeconds(60));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Node node = new Node(HostPort.parse("127.0.0.1:5432"), SETTINGS, new RoutingMetrics(registry));

    private static final long MB = 1024 * 1024;

    @Test
    void aStandbyLeavesTheRotationAboveTheMaxBoundAndComesBackOnlyBelowTheResumeBound() {
        node.probed(standbyProbe());
        node.standby(MB, Duration.ZERO, true, "");
        assertThat(node.state()).isEqualTo(Node.State.IN_ROTATION);
        node.standby(17 * MB, Duration.ZERO, true, "");
        assertThat(node.state()).isEqualTo(Node.State.LAGGING);
        node.standby(10 * MB, Duration.ZERO, true, "");
        assertThat(node.state()).as("between the bounds: no flapping").isEqualTo(Node.State.LAGGING);
        node.standby(3 * MB, Duration.ofSeconds(5), true, "");
        assertThat(node.state()).as("bytes below, time above its resume bound").isEqualTo(Node.State.LAGGING);
        node.standby(3 * MB, Duration.ofSeconds(1), true, "");
        assertThat(node.state()).isEqualTo(Node.State.IN_ROTATION);
        node.standby(0, Duration.ofSeconds(11), true, "");
        assertThat(node.state()).as("the time bound alone").isEqualTo(Node.State.LAGGING);
    }

    @Test
    void aStandbyThatDoesNotFollowThePrimaryServesNoReadsWhateverItsLag() {
        node.probed(standbyProbe());
        node.standby(0, Duration.ZERO, false, "its WAL receiver is not streaming");
        assertThat(node.state()).isEqualTo(Node.State.NOT_STREAMING);
        assertThat(node.reason()).contains("not streaming");
        assertThat(node.inRotation()).isFalse();
    }

    @Test
    void bansBackOffAndAnAnsweringProbeEndsThem() {
        node.probed(standbyProbe());
        node.standby(0, Duration.ZERO, true, "");
        assertThat(node.ban("connection refused")).isTrue();
        assertThat(node.ban("the same outage, seen by another request")).as("counted once").isFalse();
        assertThat(node.isBanned()).isTrue();
        assertThat(node.dueForProbe(System.nanoTime())).isFalse();
        assertThat(node.dueForProbe(System.nanoTime() + Duration.ofMillis(250).toNanos())).isTrue();
        node.probeFailed("still refused");
        assertThat(node.dueForProbe(System.nanoTime() + Duration.ofMillis(250).toNanos())).as("backoff doubled").isFalse();
        node.probeFailed("still refused");
        node.probeFailed("still refused");
        assertThat(node.dueForProbe(System.nanoTime() + Duration.ofMillis(850).toNanos())).as("capped at ban-max").isTrue();
        // while banned, the monitor's decisions do not bring it back...
        node.standby(0, Duration.ZERO, true, "");
        assertThat(node.isBanned()).isTrue();
        // ...an answering probe does
        node.probed(standbyProbe());
        node.standby(0, Duration.ZERO, true, "");
        assertThat(node.state()).isEqualTo(Node.State.IN_ROTATION);
        assertThat(registry.counter("socialnet.routing.bans", "node", node.name()).count()).isEqualTo(1.0);
    }

    private static Probe standbyProbe() {
        return new Probe(42, true, 0, -1, 0x3000000, 0x3000000, 1, false, true, false, System.nanoTime());
    }
}
