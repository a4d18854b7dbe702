package ru.otus.socialnet.routing.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Requests are served only on a cluster whose schema was verified. */
class SchemaGateTest {

    private final SchemaGate gate = new SchemaGate();

    @Test
    void untilTheMigrationsTakeChargeTheGateIsOpen() {
        assertThat(gate.closedBecause(cluster(0))).isNull();
        gate.relationMissing("n", "relation \"users\" does not exist");
        assertThat(gate.closedBecause(cluster(7))).isNull();
    }

    @Test
    void onlyTheVerifiedClusterIsServed() {
        gate.enforce();
        assertThat(gate.closedBecause(cluster(0))).contains("no node has answered");
        assertThat(gate.closedBecause(cluster(7))).contains("not yet in place", "7");
        gate.verified(7, "migrated on n");
        assertThat(gate.closedBecause(cluster(7))).isNull();
        assertThat(gate.needsCheck(cluster(7))).isFalse();
        assertThat(gate.closedBecause(cluster(8))).as("re-created: a new system identifier").contains("re-created");
        assertThat(gate.needsCheck(cluster(8))).isTrue();
    }

    @Test
    void aMissingTableClosesTheGateUntilTheSchemaIsVerifiedAgain() {
        gate.enforce();
        gate.verified(7, "migrated on n");
        gate.relationMissing("n", "relation \"users\" does not exist");
        assertThat(gate.closedBecause(cluster(7))).contains("checked again", "users");
        assertThat(gate.needsCheck(cluster(7))).isTrue();
        gate.verified(7, "migrated on n");
        assertThat(gate.closedBecause(cluster(7))).isNull();
    }

    private static Topology cluster(long systemId) {
        return new Topology(null, List.of(), List.of(), List.of(), null, 1, null, systemId);
    }
}
