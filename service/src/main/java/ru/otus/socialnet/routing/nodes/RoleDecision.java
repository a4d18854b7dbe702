package ru.otus.socialnet.routing.nodes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ru.otus.socialnet.consistency.ConsistencyToken;

/**
 * Who takes the writes and who may serve reads, decided from the nodes' last probes and what the
 * service remembers — a pure function, so that each rule has a test of its own
 * ({@code RoleDecisionTest}); the {@link ClusterMonitor} probes, applies the verdicts to its
 * {@link Node}s (lag hysteresis, bans) and publishes the {@link Topology}.
 *
 * <p>The rules:
 * <ul>
 *   <li>One cluster: the nodes answering with the remembered system identifier. When none does any
 *   more, the cluster was re-initialised: the first answering node's identifier is adopted and the
 *   memory starts again. A node of another cluster is never used.</li>
 *   <li>The newest timeline is the highest one any node of the cluster proves to exist (a primary's,
 *   a standby's WAL receiver's, a checkpoint's or a history file's) and is never forgotten.</li>
 *   <li>Writes go to a primary on the newest timeline: the one writes were already on while it
 *   qualifies, else the one with the most WAL. Every other primary is fenced — one on an older
 *   timeline (a former primary started again after a failover) or a second one on the newest.</li>
 *   <li>Writes are refused while the chosen primary's commits cannot be acknowledged (synchronous
 *   commit, and fewer standbys able to confirm one than it needs): {@link SyncCommit}.</li>
 *   <li>A standby follows the chosen primary when its WAL receiver streams that primary's timeline
 *   (or, where the role cannot see the receiver's status, when a receiver process runs); its lag is
 *   measured against the primary's position. With no primary, no standby follows anything.</li>
 * </ul>
 */
final class RoleDecision {

    private RoleDecision() {
    }

    /**
     * What the service carries from one decision to the next.
     *
     * @param systemId            the cluster's system identifier; 0 before any node answered
     * @param newestTimeline      the newest timeline seen in that cluster
     * @param writesOn            the node writes went to at the last decision; null when none qualified
     * @param lastPrimaryPosition that primary's position at its last probe, kept while it is down
     */
    record Memory(long systemId, int newestTimeline, String writesOn, ConsistencyToken lastPrimaryPosition) {
        static final Memory NONE = new Memory(0, 0, null, null);
    }

    /** A node that answered its last probe (a banned node is left out: it cannot serve). */
    record Seen(String node, Probe probe) {
    }

    enum Role {
        /** The primary the writes go to. */
        PRIMARY,
        /** A primary never written to. */
        FENCED,
        /** A standby; whether it follows the primary is in the verdict. */
        STANDBY,
        /** A node of another cluster (another system identifier): never used. */
        FOREIGN
    }

    /**
     * @param role      what the node is for
     * @param reason    why, in words (health details, logs)
     * @param following a standby receives the chosen primary's WAL (false for every other role)
     * @param lagBytes  a standby's replay lag behind the chosen primary; -1 when unknown or not a standby
     */
    record Verdict(Role role, String reason, boolean following, long lagBytes) {
    }

    /**
     * @param memory   what to remember for the next decision
     * @param primary  the node writes go to; null when none qualifies
     * @param verdicts every answering node's verdict, in the order given
     * @param forgotten the system identifier forgotten because the cluster was re-initialised; 0 otherwise
     * @param writesRefused why the chosen primary can take no write now (its commits cannot be
     *                 acknowledged); null when it can, or when there is no primary
     */
    record Decision(Memory memory, String primary, Map<String, Verdict> verdicts, long forgotten,
                    String writesRefused) {
        Verdict of(String node) {
            return verdicts.get(node);
        }
    }

    static Decision decide(Memory memory, List<Seen> answering) {
        long systemId = memory.systemId();
        int newest = memory.newestTimeline();
        String writesOn = memory.writesOn();
        ConsistencyToken lastPosition = memory.lastPrimaryPosition();
        long forgotten = 0;
        if (!answering.isEmpty() && answering.stream().noneMatch(s -> s.probe().systemId() == memory.systemId())) {
            forgotten = memory.systemId();
            systemId = answering.get(0).probe().systemId();
            newest = 0;
            writesOn = null;
            lastPosition = null;
        }
        List<Seen> ours = new ArrayList<>();
        for (Seen s : answering) {
            if (s.probe().systemId() == systemId) {
                ours.add(s);
                newest = Math.max(newest, s.probe().newestTimelineSeen());
            }
        }
        Seen primary = choosePrimary(ours, newest, writesOn);
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (Seen s : answering) {
            Probe p = s.probe();
            Verdict v;
            if (p.systemId() != systemId) {
                v = new Verdict(Role.FOREIGN, "belongs to another cluster (system identifier " + p.systemId()
                        + ", not " + systemId + "): never used", false, -1);
            } else if (p.inRecovery()) {
                v = standby(p, primary == null ? null : primary.probe());
            } else if (s == primary) {
                v = new Verdict(Role.PRIMARY, "primary on timeline " + p.timeline(), false, 0);
            } else {
                v = new Verdict(Role.FENCED, fencedBecause(p, newest, primary), false, 0);
            }
            verdicts.put(s.node(), v);
        }
        if (primary != null) {
            lastPosition = primary.probe().position();
        }
        String chosen = primary == null ? null : primary.node();
        SyncCommit sync = primary == null ? null : primary.probe().syncCommit();
        return new Decision(new Memory(systemId, newest, chosen, lastPosition), chosen, verdicts, forgotten,
                sync == null ? null : sync.refusal());
    }

    /**
     * The primary to write to: one on the newest timeline. The one writes were on keeps them while it
     * qualifies; otherwise the one with the most WAL.
     */
    private static Seen choosePrimary(List<Seen> ours, int newest, String writesOn) {
        List<Seen> eligible = ours.stream()
                .filter(s -> !s.probe().inRecovery() && s.probe().timeline() == newest).toList();
        return eligible.stream().filter(s -> s.node().equals(writesOn)).findFirst()
                .orElseGet(() -> eligible.stream()
                        .max(Comparator.comparing(s -> s.probe().currentLsn(), Long::compareUnsigned))
                        .orElse(null));
    }

    private static String fencedBecause(Probe p, int newest, Seen primary) {
        int tl = p.timeline();
        if (tl < newest) {
            return "a primary on timeline " + tl + ", older than timeline " + newest
                    + " already seen: a former primary started again after a failover; never written to "
                    + "(turn it into a standby: bin/cluster rejoin NODE, or bin/compose-cluster rejoin NODE)";
        }
        return "a second primary on timeline " + tl + "; writes stay on " + (primary == null ? "?" : primary.node());
    }

    private static Verdict standby(Probe p, Probe primary) {
        if (primary == null) {
            return new Verdict(Role.STANDBY, "no primary to follow", false, -1);
        }
        boolean following;
        String why;
        if (p.receiverVisible()) {
            following = p.streaming() && (p.timeline() == 0 || p.timeline() == primary.timeline());
            why = !p.streaming() ? "its WAL receiver is not streaming"
                    : "streams timeline " + p.timeline() + ", the primary is on " + primary.timeline();
        } else {
            following = p.receiverRunning();
            why = "no WAL receiver process";
        }
        long lagBytes = p.replayLsn() < 0 ? -1
                : Long.compareUnsigned(primary.currentLsn(), p.replayLsn()) > 0 ? primary.currentLsn() - p.replayLsn() : 0;
        return new Verdict(Role.STANDBY, following ? "follows the primary" : why, following, lagBytes);
    }

    /**
     * Whether {@code token} is known to have been issued by this cluster without asking anyone: it
     * is not past the last position seen on a primary. Otherwise the primary is asked afresh (the
     * last probe may simply be older than the token).
     */
    static boolean knownToBeIssued(ConsistencyToken token, ConsistencyToken lastPrimaryPosition) {
        return lastPrimaryPosition != null && !token.isAfter(lastPrimaryPosition);
    }
}
