package ru.otus.socialnet.chaos;

import java.util.List;
import java.util.Optional;

import ru.otus.socialnet.chaos.Findings.Gap;

/**
 * The write outage of a failover as CloudNativePG's end-to-end tests measure it: from the last write
 * acknowledged on the old timeline to the first acknowledged on a newer one — the time clients could
 * not commit because the primary was being replaced, whoever replaced it (the project's scripted
 * failover, Patroni's election). Read from the tokens the acknowledgments carried (their timeline).
 * Pure.
 */
final class TimelineSwitch {

    private TimelineSwitch() {
    }

    /**
     * The switch to a newer timeline that happened within [fromMs, toMs], if one did: the timeline of
     * the last acknowledgment before {@code fromMs} is the old one (or, with none before, the oldest
     * seen in the window); the first acknowledgment in the window on a newer timeline ends the gap,
     * the last one on the old timeline (or older) before it starts it.
     *
     * @param acks acknowledged writes, in the order they were answered
     */
    static Optional<Gap> during(List<Op> acks, long fromMs, long toMs) {
        int old = -1;
        for (Op a : acks) {
            if (a.endMs() >= fromMs) {
                break;
            }
            old = Math.max(old, Token.timeline(a.tokenReceived()));
        }
        if (old < 0) {
            old = acks.stream().filter(a -> a.endMs() >= fromMs && a.endMs() <= toMs).mapToInt(a -> Token.timeline(a.tokenReceived()))
                    .filter(t -> t > 0).min().orElse(-1);
        }
        if (old < 0) {
            return Optional.empty();
        }
        long lastOld = -1;
        for (Op a : acks) {
            int t = Token.timeline(a.tokenReceived());
            if (a.endMs() > toMs) {
                break;
            }
            if (t > 0 && t <= old) {
                lastOld = a.endMs();
            } else if (t > old && a.endMs() >= fromMs) {
                return lastOld < 0 ? Optional.empty() : Optional.of(new Gap(lastOld, a.endMs()));
            }
        }
        return Optional.empty();
    }
}
