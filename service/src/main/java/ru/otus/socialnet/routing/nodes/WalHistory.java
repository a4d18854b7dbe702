package ru.otus.socialnet.routing.nodes;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * When the primary's WAL was where: one sample per monitor tick. A replica that has replayed up to
 * a sampled position holds everything the primary had at that moment, so its time lag is "now
 * minus the newest sample it has reached". Unlike {@code now() - pg_last_xact_replay_timestamp()}
 * this stays 0 on an idle primary and does not jump when the first write after a quiet hour
 * arrives.
 */
final class WalHistory {

    private record Sample(long atNanos, long lsn) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();
    private final int capacity;

    WalHistory(int capacity) {
        this.capacity = capacity;
    }

    /** Forgets every sample: positions of another primary say nothing about this one's timing. */
    synchronized void clear() {
        samples.clear();
    }

    synchronized void record(long atNanos, long lsn) {
        Sample last = samples.peekLast();
        if (last != null && last.lsn == lsn) {
            return; // idle: the oldest sample at this position is the one that tells the time
        }
        samples.addLast(new Sample(atNanos, lsn));
        if (samples.size() > capacity) {
            samples.removeFirst();
        }
    }

    /** How far behind in time a replica that replayed up to {@code replayLsn} is; null before any sample. */
    synchronized Duration lagOf(long replayLsn, long nowNanos) {
        Sample latest = samples.peekLast();
        if (latest == null) {
            return null;
        }
        if (Long.compareUnsigned(replayLsn, latest.lsn) >= 0) {
            return Duration.ZERO;
        }
        // The replica lacks the latest sample: its data is as of the newest sample it has, or
        // older than the whole history; the first sample it lacks is when it started to fall behind.
        Sample firstMissing = latest;
        for (Iterator<Sample> it = samples.descendingIterator(); it.hasNext(); ) {
            Sample s = it.next();
            if (Long.compareUnsigned(s.lsn, replayLsn) <= 0) {
                break;
            }
            firstMissing = s;
        }
        return Duration.ofNanos(Math.max(0, nowNanos - firstMissing.atNanos));
    }
}
