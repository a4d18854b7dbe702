package ru.otus.socialnet.routing.nodes;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database schema is known to be in place on the cluster the monitor follows: the
 * routers serve requests only then. The schema is known per cluster — per system identifier — so a
 * cluster re-created under the running service (a new identifier, the same addresses) is served
 * only once the migrations have run on it; until then every request is refused with 503, never
 * sent to tables that are not there. A request that meets a missing table anyway (the database
 * dropped and created again, say) asks for the schema to be checked again.
 *
 * <p>Who verifies — migrates on the primary, or checks read-only on a standby while no primary
 * answers — is the migrations' business ({@code ru.otus.socialnet.schema}); until they take charge
 * (Flyway off) the gate is open.
 */
public final class SchemaGate {

    private static final Logger log = LoggerFactory.getLogger(SchemaGate.class);

    private volatile boolean enforced;
    private volatile long verifiedSystemId;
    private volatile String how = "not checked yet";
    private volatile String recheck;

    /** From now on requests are served only on a cluster whose schema was verified. */
    public void enforce() {
        enforced = true;
    }

    /** The schema is in place on the cluster with {@code systemId}; {@code how} it is known (health). */
    public void verified(long systemId, String how) {
        if (systemId != verifiedSystemId || recheck != null) {
            log.info("schema in place on the cluster with system identifier {}: {}", systemId, how);
        }
        this.how = how;
        this.recheck = null;
        this.verifiedSystemId = systemId;
    }

    /** A statement met a missing table or column: the schema is checked again before more requests. */
    void relationMissing(String node, String message) {
        if (enforced && recheck == null) {
            log.warn("{} on {}: the schema is checked again; requests are refused until it is in place", message, node);
            recheck = message;
        }
    }

    /** Whether the schema must be checked (again) on the cluster of {@code topology}. */
    public boolean needsCheck(Topology topology) {
        return topology.systemId() != verifiedSystemId || recheck != null;
    }

    /** Why requests cannot be served on {@code topology}'s cluster now; null when they can. */
    public String closedBecause(Topology topology) {
        if (!enforced) {
            return null;
        }
        if (topology.systemId() == 0) {
            return "no node has answered yet";
        }
        if (topology.systemId() != verifiedSystemId) {
            return "the schema is not yet in place on the cluster with system identifier " + topology.systemId()
                    + " (re-created?): the migrations run first";
        }
        return recheck == null ? null : "the schema is being checked again after: " + recheck;
    }

    /** Fails when requests cannot be served on {@code topology}'s cluster now. */
    void ensureOpen(Topology topology) throws NoNodeAvailableException {
        String closed = closedBecause(topology);
        if (closed != null) {
            throw new NoNodeAvailableException(closed);
        }
    }

    /** How the schema was last verified, in words (health). */
    public String how() {
        return how;
    }
}
