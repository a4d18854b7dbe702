package ru.otus.socialnet.routing.nodes;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a primary's commits can be acknowledged now, as its probe saw it. With
 * {@code synchronous_standby_names} set (and {@code synchronous_commit} not {@code local} or
 * {@code off}) every commit waits until enough standbys confirm it; when fewer than that stream,
 * a commit waits until one comes back — for ever, as far as the client can tell. Such a write is
 * refused before it starts (503, nothing stored) instead of being sent and cut off (504, outcome
 * unknown), and its session is not left waiting on the primary.
 *
 * @param standbyNames the primary's {@code synchronous_standby_names}
 * @param level        the application role's {@code synchronous_commit}
 * @param acknowledging standbys that can confirm a commit now ({@code pg_stat_replication.sync_state}
 *                     {@code sync} or {@code quorum}); -1 when the role may not see it (it needs
 *                     {@code pg_read_all_stats}): then writes are never refused on this ground
 */
public record SyncCommit(String standbyNames, String level, int acknowledging) {

    /** {@code [FIRST|ANY] n (...)}: n standbys must confirm; a plain list means FIRST 1. */
    private static final Pattern NUM_SYNC = Pattern.compile("^\\s*(?:(?:FIRST|ANY)\\s+)?(\\d+)\\s*\\(",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> NO_WAIT = Set.of("off", "local");

    /** How many standbys must confirm each commit; 0 when commits do not wait for any. */
    public int required() {
        if (standbyNames == null || standbyNames.isBlank() || NO_WAIT.contains(level.toLowerCase(Locale.ROOT))) {
            return 0;
        }
        Matcher m = NUM_SYNC.matcher(standbyNames);
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }

    /** Whether the role can see which standbys confirm commits. */
    public boolean visible() {
        return acknowledging >= 0;
    }

    /** Why no commit can be acknowledged now, in words; null when it can (or it cannot be seen). */
    public String refusal() {
        int required = required();
        if (required == 0 || !visible() || acknowledging >= required) {
            return null;
        }
        return "commits cannot be acknowledged: synchronous_standby_names = '" + standbyNames + "' needs " + required
                + " standby(s) to confirm each, " + acknowledging + " can now (a write would wait until one streams again)";
    }
}
