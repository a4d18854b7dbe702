package ru.otus.socialnet.drill;

import java.util.List;
import java.util.Map;
import java.util.Set;

import ru.otus.socialnet.cluster.ClusterControl.Event;
import ru.otus.socialnet.cluster.ClusterControl;

/**
 * What a drill found, counted on the new primary once the load stopped — before any rejoin.
 *
 * @param runId                the prefix of this run's markers
 * @param acknowledged         writes the client saw acknowledged (HTTP 200 with a user_id)
 * @param lost                 acknowledged writes missing on the new primary: real data loss
 * @param duplicated           markers stored more than once, with their row count: one request,
 *                             two users — as bad as a loss, whether acknowledged or not
 * @param unacknowledgedStored writes on the new primary the client never saw acknowledged (in
 *                             flight at the kill, or answered with an error): not a loss
 * @param outcomeUnknown       writes answered 504 (commit outcome unknown): maybe stored, never
 *                             acknowledged, so never lost
 * @param errors               failed requests by kind
 * @param killMs               when the killed primary was down (the cluster command's "is down"
 *                             event; the kill request's time if it reports none), epoch ms
 * @param firstAckAfterKillMs  when the first write sent after the kill was acknowledged, or -1
 * @param streamingStandbys    standbys streaming from the new primary when the writes were counted
 */
public record DrillResult(String runId, DrillOptions options, String oldPrimary, String newPrimary, int attempts,
                          Set<String> acknowledged, Set<String> lost, Map<String, Long> duplicated,
                          Set<String> unacknowledgedStored, Set<String> outcomeUnknown,
                          Map<WriteLoad.Outcome, Long> errors, List<Event> timeline, long startMs, long killMs,
                          long firstAckAfterKillMs, long streamingStandbys) {

    /** Kill to first acknowledged write on the new primary, in ms, or -1 when writes never resumed. */
    public long writeOutageMs() {
        return firstAckAfterKillMs < 0 ? -1 : firstAckAfterKillMs - killMs;
    }

    /**
     * An acknowledged write was lost, or a write was stored twice. In quorum mode either breaks
     * the promise; in async mode a loss is what the mode risks, and the drill reports it the same
     * way, so that a script never mistakes it for a clean run.
     */
    public boolean failed() {
        return !lost.isEmpty() || !duplicated.isEmpty();
    }
}
