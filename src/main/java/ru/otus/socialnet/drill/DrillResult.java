package ru.otus.socialnet.drill;

import java.util.List;
import java.util.Map;
import java.util.Set;

import ru.otus.socialnet.drill.ClusterControl.Event;

/**
 * What a drill found.
 *
 * @param acknowledged         writes the client saw acknowledged (HTTP 200 with a user_id)
 * @param lost                 acknowledged writes missing on the new primary: real data loss
 * @param unacknowledgedStored writes on the new primary the client never saw acknowledged (in
 *                             flight at the kill, or answered with an error): not a loss
 * @param errors               failed requests by kind
 * @param killMs               when the primary was killed (epoch ms)
 * @param firstAckAfterKillMs  when the first write sent after the kill was acknowledged, or -1
 * @param streamingStandbys    standbys streaming from the new primary at the end
 */
public record DrillResult(DrillOptions options, String oldPrimary, String newPrimary, int attempts,
                          Set<String> acknowledged, Set<String> lost, Set<String> unacknowledgedStored,
                          Map<WriteLoad.Outcome, Long> errors, List<Event> timeline, long startMs, long killMs,
                          long firstAckAfterKillMs, long streamingStandbys) {

    /** Kill to first acknowledged write on the new primary, in ms, or -1 when writes never resumed. */
    public long writeOutageMs() {
        return firstAckAfterKillMs < 0 ? -1 : firstAckAfterKillMs - killMs;
    }

    /** Quorum mode promises no acknowledged write is lost; a loss there is a failed drill. */
    public boolean failed() {
        return options.mode().equals("quorum") && !lost.isEmpty();
    }
}
