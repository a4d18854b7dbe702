package ru.otus.socialnet.seed;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** A one-line progress bar on stderr (stdout stays free for machine-readable output). */
final class ProgressBar {

    private static final int WIDTH = 40;

    private final PrintStream out;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final AtomicLong done = new AtomicLong();

    ProgressBar(PrintStream out, long total) {
        this.out = out;
        this.total = total;
    }

    synchronized void advance(long rows) {
        long now = done.addAndGet(rows);
        int filled = total == 0 ? WIDTH : (int) (WIDTH * now / total);
        out.printf("\r[%s%s] %3d%% %,d/%,d users, %,.0f users/s ", "#".repeat(filled), ".".repeat(WIDTH - filled),
                total == 0 ? 100 : 100 * now / total, now, total, rate(now));
        out.flush();
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    double rate(long rows) {
        return rows / Math.max(seconds(), 1e-9);
    }

    long done() {
        return done.get();
    }
}
