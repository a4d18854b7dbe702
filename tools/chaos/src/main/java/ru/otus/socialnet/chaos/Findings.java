package ru.otus.socialnet.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * What the checker found in one run. Every list holds the cases themselves (markers, requests), so
 * the report can show examples; the counts are their sizes.
 *
 * @param requests             requests sent, all kinds
 * @param logicalWrites        distinct writes (markers), each sent once or more with the same key
 * @param acknowledged         writes answered 200 with a user id
 * @param lost                 acknowledged markers missing on the final primary
 * @param duplicates           markers stored more than once: marker -> "rows ×N: what each send ended with"
 * @param keyTwoIds            markers (= Idempotency-Keys) acknowledged with two different user ids
 * @param staleReads           reads carrying the session's token that missed its write (404 or another
 *                             user's profile) although the write is stored
 * @param readsOfLostWrites    the same for writes that were lost: explained by the loss
 * @param crossInstanceReads   token reads answered by another service instance than the one that acknowledged
 *                             the write they read: the token alone carried the client's floor from one to the other
 * @param staleAcks            writes acknowledged with a token on an older timeline than the newest running
 *                             node's, both when sent and when answered: a stale (should-be fenced) node took them
 * @param staleRowsWritten     rows found on a stale primary (not on the newest) written after the newer timeline
 *                             existed: "marker on node (timeline)"
 * @param divergentRows        rows only a stale node had that were written before the newer timeline existed
 *                             (in flight at a crash, or async commits the standbys never got): gone after its rewind
 * @param unknownOutcomes      writes never acknowledged whose last answer left the outcome unknown (504,
 *                             timeout, connection cut, 5xx)
 * @param unknownStored        ... of which stored at the end
 * @param unacknowledgedStored markers stored but never acknowledged, whatever the last answer
 * @param outcomes             requests by kind and outcome
 * @param writeOutage          the longest stretch without an acknowledged write
 * @param readOutage           the longest stretch without a served read (a search, or a token read answered)
 * @param perFault             the longest outages overlapping each fault
 * @param lingeringStandbys    standbys whose replay was paused that stayed in a service instance's read rotation
 *                             past the lag bound: "fault N: node ..."
 * @param splitBrainMs         how long two primaries answered at once
 * @param timelines            the timelines the watch saw
 * @param toolFailures         the project's cluster commands (failover, rejoin, up...) that failed during the faults
 * @param unhealed             faults the nemesis could not heal
 * @param storedKnown          false when the rows could not be counted at the end (no primary)
 */
public record Findings(long requests, long logicalWrites, long acknowledged, List<String> lost,
                       Map<String, String> duplicates, List<String> keyTwoIds, List<Op> staleReads,
                       long readsOfLostWrites, long crossInstanceReads, List<Op> staleAcks, List<String> staleRowsWritten, long divergentRows,
                       long unknownOutcomes, long unknownStored, long unacknowledgedStored,
                       Map<Op.Kind, Map<Op.Outcome, Long>> outcomes, Gap writeOutage, Gap readOutage,
                       List<FaultOutage> perFault, List<String> lingeringStandbys, long splitBrainMs, SortedSet<Integer> timelines,
                       List<String> toolFailures, long unhealed,
                       boolean storedKnown) {

    /** A stretch without a success, epoch ms. */
    public record Gap(long fromMs, long toMs) {
        public long ms() {
            return toMs - fromMs;
        }
    }

    /**
     * The outages of one fault: the longest stretches without an acknowledged write and without a
     * served read that overlap it; the failover's switch when the timeline changed during it (last
     * acknowledgment on the old timeline to the first on the new, {@link TimelineSwitch}; -1: no
     * switch); the slowest write sent during it that was not acknowledged (-1: none).
     */
    public record FaultOutage(FaultRecord fault, long writeMs, long readMs, long switchMs, long slowestFailedWriteMs) {

        /** The primary was replaced during the fault. */
        public boolean lostLeader() {
            return switchMs >= 0;
        }

        /** The write outage a target is held to: the switch when the leader was lost, else the longest gap. */
        public long targetedWriteMs() {
            return lostLeader() ? switchMs : writeMs;
        }
    }

    /** The broken promises of this run; empty when it passes. Async mode reports its losses without failing on them. */
    public List<String> violations(String mode) {
        List<String> v = new ArrayList<>();
        if (!storedKnown) {
            v.add("the rows could not be counted at the end: no primary");
        }
        if (mode.equals("quorum") && !lost.isEmpty()) {
            v.add(lost.size() + " acknowledged write(s) lost");
        }
        if (!duplicates.isEmpty()) {
            v.add(duplicates.size() + " write(s) stored twice");
        }
        if (!keyTwoIds.isEmpty()) {
            v.add(keyTwoIds.size() + " Idempotency-Key(s) acknowledged with two user ids");
        }
        if (!staleReads.isEmpty()) {
            v.add(staleReads.size() + " token read(s) missed the client's write");
        }
        if (!staleAcks.isEmpty()) {
            v.add(staleAcks.size() + " write(s) acknowledged by a stale node");
        }
        if (!staleRowsWritten.isEmpty()) {
            v.add(staleRowsWritten.size() + " row(s) written to a stale node");
        }
        if (!toolFailures.isEmpty()) {
            v.add(toolFailures.size() + " of the project's cluster command(s) failed");
        }
        if (!lingeringStandbys.isEmpty()) {
            v.add(lingeringStandbys.size() + " paused standby(s) stayed in the read rotation past the lag bound");
        }
        if (unhealed > 0) {
            v.add(unhealed + " fault(s) the cluster could not be healed from");
        }
        return v;
    }

    public boolean passed(String mode) {
        return violations(mode).isEmpty();
    }
}
