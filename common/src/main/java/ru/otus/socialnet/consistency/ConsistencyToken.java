package ru.otus.socialnet.consistency;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in the primary's WAL that a client has seen committed: {@code <timeline>/<lsn>}, e.g.
 * {@code 00000001/0/3000148} — the timeline as in WAL file names (8 hex digits) and the LSN as
 * PostgreSQL prints it. A read carrying it must see everything up to that position.
 *
 * <p>An LSN is an unsigned 64-bit number: every comparison here is unsigned, so
 * {@code FFFFFFFF/FFFFFFFF} is the largest position, not -1.
 *
 * <p>{@code <timeline>/0/0} — a position no commit has — stands for a write committed on that
 * timeline whose position could not be read (the primary failed right after the commit): only the
 * primary of that timeline, or of a later one, surely holds it ({@link #positionUnknown}).
 */
public record ConsistencyToken(int timeline, long lsn) {

    public static final String HEADER = "X-Consistency-Token";

    private static final Pattern FORMAT = Pattern.compile("([0-9A-Fa-f]{8})/([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})");

    /** Parses a token as issued; anything else is the client's mistake. */
    public static ConsistencyToken parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(HEADER + " must look like 00000001/0/3000148");
        }
        int timeline = Integer.parseUnsignedInt(m.group(1), 16);
        if (timeline == 0) {
            throw new IllegalArgumentException(HEADER + ": timeline 00000000 does not exist (timelines start at 1)");
        }
        return new ConsistencyToken(timeline, parseLsn(m.group(2)));
    }

    /** {@code X/Y} as PostgreSQL prints a pg_lsn, as one unsigned 64-bit number. */
    public static long parseLsn(String lsn) {
        int slash = lsn.indexOf('/');
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    public static String formatLsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** A write committed on {@code timeline} at a position that could not be read. */
    public static ConsistencyToken positionUnknown(int timeline) {
        return new ConsistencyToken(timeline, 0);
    }

    /** Whether this stands for a commit whose position is unknown: only a primary surely holds it. */
    public boolean isPositionUnknown() {
        return lsn == 0;
    }

    /** Whether a server that has replayed up to {@code replayLsn} holds this position. */
    public boolean reachedBy(long replayLsn) {
        return Long.compareUnsigned(replayLsn, lsn) >= 0;
    }

    /** Whether this position lies beyond {@code other}: a newer timeline, or further on the same one. */
    public boolean isAfter(ConsistencyToken other) {
        return timeline != other.timeline ? Integer.compareUnsigned(timeline, other.timeline) > 0
                : Long.compareUnsigned(lsn, other.lsn) > 0;
    }

    /** The later of two positions (a newer timeline wins). */
    public ConsistencyToken max(ConsistencyToken other) {
        return other == null || !other.isAfter(this) ? this : other;
    }

    @Override
    public String toString() {
        return String.format("%08X/%s", timeline, formatLsn(lsn));
    }
}
