package ru.otus.socialnet.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import ru.otus.socialnet.chaos.Findings.FaultOutage;
import ru.otus.socialnet.chaos.Findings.Gap;
import ru.otus.socialnet.chaos.Op.Kind;
import ru.otus.socialnet.chaos.Op.Outcome;

/**
 * The checker: the ledger of every request against what the servers hold at the end, what the
 * stale nodes held before they were rewound, and what the cluster watch saw. Pure: all inputs are
 * values, so every rule has a unit test.
 */
public final class Checker {

    /**
     * Everything a run produced.
     *
     * @param stored      marker -> rows on the final primary, after the standbys caught up
     * @param storedKnown false when there was no primary to count on
     */
    public record Input(long loadStartMs, long loadEndMs, List<Op> ops, Map<String, Integer> stored,
                        boolean storedKnown, List<StaleRows> staleRows, Timelines timelines, List<FaultRecord> faults) {
    }

    private Checker() {
    }

    public static Findings check(Input in) {
        Map<String, List<Op>> writes = new TreeMap<>();
        Map<Kind, Map<Outcome, Long>> outcomes = new EnumMap<>(Kind.class);
        for (Op op : in.ops()) {
            outcomes.computeIfAbsent(op.kind(), k -> new EnumMap<>(Outcome.class)).merge(op.outcome(), 1L, Long::sum);
            if (op.kind() == Kind.WRITE) {
                writes.computeIfAbsent(op.marker(), m -> new ArrayList<>()).add(op);
            }
        }

        List<String> lost = new ArrayList<>();
        List<String> keyTwoIds = new ArrayList<>();
        List<Op> staleAcks = new ArrayList<>();
        Set<String> acknowledged = new HashSet<>();
        long unknown = 0;
        long unknownStored = 0;
        for (Map.Entry<String, List<Op>> e : writes.entrySet()) {
            String marker = e.getKey();
            List<Op> attempts = e.getValue();
            Set<String> ids = new HashSet<>();
            for (Op a : attempts) {
                if (a.acknowledged()) {
                    ids.add(a.userId());
                    if (staleAck(a, in.timelines())) {
                        staleAcks.add(a);
                    }
                }
            }
            boolean stored = in.stored().containsKey(marker);
            if (!ids.isEmpty()) {
                acknowledged.add(marker);
                if (ids.size() > 1) {
                    keyTwoIds.add(marker);
                }
                if (!stored && in.storedKnown()) {
                    lost.add(marker);
                }
            } else if (attempts.get(attempts.size() - 1).outcome().unknownForWrite()) {
                unknown++;
                if (stored) {
                    unknownStored++;
                }
            }
        }

        Map<String, String> duplicates = new TreeMap<>();
        long unacknowledgedStored = 0;
        for (Map.Entry<String, Integer> e : in.stored().entrySet()) {
            if (e.getValue() > 1) {
                duplicates.put(e.getKey(), "×" + e.getValue() + " (sent: " + writes.getOrDefault(e.getKey(), List.of()).stream()
                        .map(op -> op.outcome().name()).collect(Collectors.joining(", ")) + ")");
            }
            if (!acknowledged.contains(e.getKey())) {
                unacknowledgedStored++;
            }
        }

        List<Op> staleReads = new ArrayList<>();
        long readsOfLost = 0;
        long crossInstanceReads = 0;
        Map<String, Integer> ackedBy = new HashMap<>();
        writes.forEach((marker, attempts) -> attempts.stream().filter(Op::acknowledged).findFirst()
                .ifPresent(ack -> ackedBy.put(marker, ack.instance())));
        for (Op op : in.ops()) {
            if (op.kind() == Kind.READ && op.outcome().served() && ackedBy.containsKey(op.marker())
                    && ackedBy.get(op.marker()) != op.instance()) {
                crossInstanceReads++;
            }
            if (op.kind() == Kind.READ && (op.outcome() == Outcome.NOT_FOUND || op.outcome() == Outcome.WRONG_USER)) {
                if (in.stored().containsKey(op.marker()) || !in.storedKnown()) {
                    staleReads.add(op);
                } else {
                    readsOfLost++;
                }
            }
        }

        List<String> staleRowsWritten = new ArrayList<>();
        long divergent = 0;
        for (StaleRows s : in.staleRows()) {
            long newerSince = in.timelines().firstAbove(s.timeline());
            for (String marker : new TreeMap<>(s.rows()).keySet()) {
                long firstSent = writes.getOrDefault(marker, List.of()).stream().mapToLong(Op::startMs).min().orElse(-1);
                if (newerSince >= 0 && firstSent > newerSince) {
                    staleRowsWritten.add(marker + " on " + s.node() + " (timeline " + s.timeline() + ")");
                } else {
                    divergent++;
                }
            }
        }

        List<Gap> writeGaps = gaps(successes(in.ops(), true), in.loadStartMs(), in.loadEndMs());
        List<Gap> readGaps = gaps(successes(in.ops(), false), in.loadStartMs(), in.loadEndMs());
        List<Op> acks = in.ops().stream().filter(Op::acknowledged).sorted(Comparator.comparingLong(Op::endMs)).toList();
        List<FaultOutage> perFault = new ArrayList<>();
        List<String> lingering = new ArrayList<>();
        for (FaultRecord f : in.faults()) {
            perFault.add(new FaultOutage(f, longestOverlapping(writeGaps, f), longestOverlapping(readGaps, f),
                    TimelineSwitch.during(acks, f.startMs(), f.endMs()).map(Gap::ms).orElse(-1L),
                    slowestFailedWrite(in.ops(), f)));
            if (stayedInRotation(f)) {
                lingering.add("fault " + f.number() + ": " + f.target() + (f.outOfRotationMs() == FaultRecord.NEVER
                        ? " stayed in rotation for its whole pause of " + f.fault().holdMs() / 1000 + " s"
                        : " left the rotation only after " + f.outOfRotationMs() / 1000 + " s"));
            }
        }
        long splitBrain = in.timelines().splitBrain().stream().mapToLong(Timelines.Interval::ms).sum();
        long unhealed = in.faults().stream().filter(f -> !f.healed()).count();

        return new Findings(in.ops().size(), writes.size(), acknowledged.size(), lost, duplicates, keyTwoIds,
                staleReads, readsOfLost, crossInstanceReads, staleAcks, staleRowsWritten, divergent, unknown, unknownStored,
                unacknowledgedStored, outcomes, longest(writeGaps, in.loadStartMs()), longest(readGaps, in.loadStartMs()),
                perFault, lingering, splitBrain, in.timelines().seen(),
                in.faults().stream().flatMap(f -> f.toolFailures().stream()).toList(), unhealed, in.storedKnown());
    }

    /**
     * A write acknowledged on an older timeline than a running node was on, both when the request was
     * sent and when it was answered (so a request that merely raced a promotion does not count).
     */
    static boolean staleAck(Op ack, Timelines timelines) {
        int tokenTimeline = Token.timeline(ack.tokenReceived());
        return tokenTimeline > 0 && tokenTimeline < timelines.newestAt(ack.startMs())
                && tokenTimeline < timelines.newestAt(ack.endMs());
    }

    /** When requests succeeded, in order: acknowledged writes, or served reads (searches and token reads). */
    static List<Long> successes(List<Op> ops, boolean writes) {
        return ops.stream().filter(op -> writes ? op.acknowledged() : servedRead(op)).map(Op::endMs).sorted().toList();
    }

    /** A read the service answered: a search with its page, or a token read with the user or a "not found". */
    static boolean servedRead(Op op) {
        return op.kind() == Kind.SEARCH ? op.outcome() == Outcome.OK : op.kind() == Kind.READ && op.outcome().served();
    }

    /**
     * The stretches between consecutive successes within [from, to], and from the last one to the end.
     * Before the first success the service is warming up, not out; with no success at all, the whole
     * span is one outage.
     */
    static List<Gap> gaps(List<Long> successes, long from, long to) {
        List<Gap> gaps = new ArrayList<>();
        long previous = -1;
        for (long t : successes) {
            if (t < from || t > to) {
                continue;
            }
            if (previous >= 0) {
                gaps.add(new Gap(previous, t));
            }
            previous = t;
        }
        gaps.add(new Gap(previous >= 0 ? previous : from, to));
        return gaps;
    }

    static Gap longest(List<Gap> gaps, long start) {
        return gaps.stream().max((a, b) -> Long.compare(a.ms(), b.ms())).orElse(new Gap(start, start));
    }

    /**
     * A standby whose replay was paused for longer than {@link #ROTATION_BOUND_MS} that some service
     * instance still read from at that bound (or at the end of the pause).
     */
    static boolean stayedInRotation(FaultRecord f) {
        if (f.fault().kind() != FaultKind.REPLAY_PAUSE || f.outOfRotationMs() == FaultRecord.NOT_MEASURED) {
            return false;
        }
        return f.outOfRotationMs() == FaultRecord.NEVER ? f.fault().holdMs() >= ROTATION_BOUND_MS
                : f.outOfRotationMs() > ROTATION_BOUND_MS;
    }

    /**
     * How long a standby that stopped replaying may stay in a read rotation: the service's
     * pg.routing.max-lag (10 s) plus its monitor's look (a probe a second, and a busy machine's delay).
     */
    static final long ROTATION_BOUND_MS = 15_000;

    /** The slowest write sent during the fault that did not end acknowledged (how fast a refusal came); -1: none. */
    static long slowestFailedWrite(List<Op> ops, FaultRecord f) {
        return ops.stream().filter(op -> op.kind() == Kind.WRITE && !op.acknowledged() && op.startMs() >= f.startMs()
                && op.startMs() <= f.endMs()).mapToLong(op -> op.endMs() - op.startMs()).max().orElse(-1);
    }

    static long longestOverlapping(List<Gap> gaps, FaultRecord f) {
        return gaps.stream().filter(g -> g.fromMs() < f.endMs() && g.toMs() > f.startMs()).mapToLong(Gap::ms).max().orElse(0);
    }
}
