package ru.otus.socialnet.routing.nodes;

import java.util.List;

import ru.otus.socialnet.consistency.ConsistencyToken;

/**
 * Who does what, as of the last probe: an immutable snapshot the monitor publishes after every
 * decision, read without locks by every request.
 *
 * @param primary             the node writes go to; null while none qualifies (down, fenced, or a
 *                            failover under way)
 * @param inRotation          standbys of the primary, close enough behind to serve reads
 * @param standbys            every standby that answers, whatever its lag (each holds everything up
 *                            to its replay position): the readers of last resort while the primary is down
 * @param fenced              primaries that must never be written to
 * @param lastPrimaryPosition the primary's timeline and WAL position at its last probe, kept while it
 *                            is down; null before any primary was seen
 * @param newestTimeline      the newest timeline seen anywhere
 * @param writesRefused       why the primary can take no write now although it answers (its commits
 *                            cannot be acknowledged: {@link SyncCommit}); null when it can
 * @param systemId            the followed cluster's system identifier; 0 before any node answered
 */
public record Topology(Node primary, List<Node> inRotation, List<Node> standbys, List<Node> fenced,
                       ConsistencyToken lastPrimaryPosition, int newestTimeline, String writesRefused, long systemId) {

    static final Topology NONE = new Topology(null, List.of(), List.of(), List.of(), null, 0, null, 0);

    /** Why no write can be taken now, for the 503's log line and health; null when one can. */
    public String whyNoWrites() {
        return primary != null ? writesRefused : whyNoPrimary();
    }

    /** Why no primary answers on the newest timeline; null when one does. */
    public String whyNoPrimary() {
        if (primary != null) {
            return null;
        }
        if (!fenced.isEmpty()) {
            return "no primary on timeline " + newestTimeline + " answers; fenced (never written to): " + fenced;
        }
        return "no primary answers";
    }
}
