package ru.otus.socialnet.chaos;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an {@code X-Consistency-Token} ({@code TTTTTTTT/X/Y}: timeline, WAL position) the
 * checker needs: the timeline the write was committed on. Read from the header as any client would,
 * not from the service's classes.
 */
public final class Token {

    private static final Pattern FORMAT = Pattern.compile("([0-9A-Fa-f]{8})/([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

    private Token() {
    }

    /** The timeline of a token, or -1 when there is no token or it is not one. */
    public static int timeline(String token) {
        if (token == null) {
            return -1;
        }
        Matcher m = FORMAT.matcher(token.strip());
        return m.matches() ? Integer.parseUnsignedInt(m.group(1), 16) : -1;
    }

    /**
     * The later of two tokens (timeline first, then position); a client session carries the later
     * one, so that one read sees all its earlier writes. Null or malformed tokens lose.
     */
    public static String later(String a, String b) {
        return compare(a, b) >= 0 ? a : b;
    }

    static int compare(String a, String b) {
        Matcher ma = a == null ? null : FORMAT.matcher(a.strip());
        Matcher mb = b == null ? null : FORMAT.matcher(b.strip());
        boolean va = ma != null && ma.matches();
        boolean vb = mb != null && mb.matches();
        if (!va || !vb) {
            return Boolean.compare(va, vb);
        }
        int c = Integer.compareUnsigned(Integer.parseUnsignedInt(ma.group(1), 16), Integer.parseUnsignedInt(mb.group(1), 16));
        return c != 0 ? c : Long.compareUnsigned(lsn(ma), lsn(mb));
    }

    private static long lsn(Matcher m) {
        return (Long.parseLong(m.group(2), 16) << 32) | Long.parseLong(m.group(3), 16);
    }
}
