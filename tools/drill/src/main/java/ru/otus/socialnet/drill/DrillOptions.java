package ru.otus.socialnet.drill;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a drill run does.
 *
 * @param mode       commit mode set before the load: {@code async} or {@code quorum}
 * @param writers    concurrent writers
 * @param duration   how long the write load runs in all
 * @param killAfter  when, after the load started, the primary is killed
 * @param rejoin     bring the killed primary back as a replica afterwards (pg_rewind)
 * @param service    the service's base URL; writes go through it
 * @param report     where the Markdown report goes
 */
public record DrillOptions(String mode, int writers, Duration duration, Duration killAfter, boolean rejoin,
                           URI service, Path report) {

    public DrillOptions {
        if (!mode.equals("async") && !mode.equals("quorum")) {
            throw new IllegalArgumentException("--mode must be async or quorum, not " + mode);
        }
        if (writers < 1) {
            throw new IllegalArgumentException("--writers must be at least 1");
        }
        if (killAfter.isNegative() || killAfter.compareTo(duration) >= 0) {
            throw new IllegalArgumentException("--kill-after must fall inside --duration");
        }
    }

    /** Parses {@code --mode quorum --writers 8 --duration 30 --kill-after 10 --rejoin --service URL --report FILE}. */
    public static DrillOptions parse(String[] args) {
        String mode = "quorum";
        int writers = 8;
        long duration = 30;
        Long killAfter = null;
        boolean rejoin = false;
        URI service = URI.create("http://127.0.0.1:18090");
        Path report = Path.of("target/drill/report.md");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--mode" -> mode = args[++i];
                case "--writers" -> writers = Integer.parseInt(args[++i]);
                case "--duration" -> duration = Long.parseLong(args[++i]);
                case "--kill-after" -> killAfter = Long.parseLong(args[++i]);
                case "--rejoin" -> rejoin = true;
                case "--service" -> service = URI.create(args[++i]);
                case "--report" -> report = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        return new DrillOptions(mode, writers, Duration.ofSeconds(duration),
                Duration.ofSeconds(killAfter != null ? killAfter : duration / 3), rejoin, service, report);
    }
}
