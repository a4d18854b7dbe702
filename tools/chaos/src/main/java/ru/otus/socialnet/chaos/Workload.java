package ru.otus.socialnet.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import ru.otus.socialnet.chaos.Op.Kind;
import ru.otus.socialnet.chaos.Op.Outcome;
import ru.otus.socialnet.chaos.ServiceClient.Answer;

/**
 * The mixed load of a run, every request into the {@link Ledger}:
 * <ul>
 * <li>sessions: each registers users with unique markers (the last name; also the Idempotency-Key),
 * resending a write that ended without an answer with the same key and body, as the contract says
 * is safe; after each acknowledged write it reads it back carrying its consistency token, and every
 * few writes one of its earlier writes too (carrying its latest token: one session, one floor);</li>
 * <li>searchers: plain prefix searches, no token — the read path's availability.</li>
 * </ul>
 */
final class Workload {

    /** How long a session keeps resending one write before it gives up on it. */
    static final Duration WRITE_GIVE_UP = Duration.ofSeconds(30);

    private final ServiceClient client;
    private final Ledger ledger;
    private final String runId;
    private final int sessions;
    private final int searchers;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    Workload(ServiceClient client, Ledger ledger, String runId, int sessions, int searchers) {
        this.client = client;
        this.ledger = ledger;
        this.runId = runId;
        this.sessions = sessions;
        this.searchers = searchers;
    }

    void start() {
        running = true;
        for (int i = 0; i < sessions; i++) {
            int id = i;
            threads.add(Daemons.start("chaos-session-" + i, () -> session(id)));
        }
        for (int i = 0; i < searchers; i++) {
            int id = i;
            threads.add(Daemons.start("chaos-searcher-" + i, () -> search(id)));
        }
    }

    /** Stops sending; a write in flight gets its answer (no more resends), then the threads end. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    private record Acked(String marker, String userId) {
    }

    private void session(int id) {
        String name = "s" + id;
        String token = null;
        List<Acked> mine = new ArrayList<>();
        for (long seq = 0; running; seq++) {
            String marker = runId + "-" + id + "-" + seq;
            Answer ack = write(name, marker);
            if (ack == null) {
                continue;
            }
            token = Token.later(token, ack.token());
            Acked acked = new Acked(marker, ack.userId());
            mine.add(acked);
            readBack(name, acked, token);
            if (seq % 4 == 3) {
                readBack(name, mine.get(ThreadLocalRandom.current().nextInt(mine.size())), token);
            }
        }
    }

    /** One write, resent with the same key until it is acknowledged or refused; null when it never was acknowledged. */
    private Answer write(String client, String marker) {
        long giveUp = System.currentTimeMillis() + WRITE_GIVE_UP.toMillis();
        for (int attempt = 1; ; attempt++) {
            long start = System.currentTimeMillis();
            Answer a = this.client.register(marker, marker);
            ledger.add(new Op(Kind.WRITE, client, marker, attempt, start, System.currentTimeMillis(), a.outcome(),
                    a.status(), a.userId(), null, a.token(), a.instance()));
            if (a.outcome() == Outcome.OK && a.userId() != null) {
                return a;
            }
            boolean refused = a.outcome() == Outcome.REJECTED_400 || a.outcome() == Outcome.REJECTED_422
                    || a.outcome() == Outcome.OTHER_4XX || a.outcome() == Outcome.OK;
            if (refused || !running || System.currentTimeMillis() > giveUp) {
                return null;
            }
            Daemons.sleep(switch (a.outcome()) {
                case UNAVAILABLE_503 -> Math.min(Math.max(a.retryAfterMs(), 200), 2_000);
                case CONFLICT_409 -> 500;
                default -> 300;
            });
        }
    }

    /** Reads a write back with the session's token; resent (up to 3 times) only while the service does not answer. */
    private void readBack(String client, Acked acked, String token) {
        for (int attempt = 1; attempt <= 3 && running; attempt++) {
            long start = System.currentTimeMillis();
            Answer a = this.client.get(acked.userId(), token);
            Outcome outcome = a.outcome() == Outcome.OK && !acked.marker().equals(a.secondName())
                    ? Outcome.WRONG_USER : a.outcome();
            ledger.add(new Op(Kind.READ, client, acked.marker(), attempt, start, System.currentTimeMillis(), outcome,
                    a.status(), acked.userId(), token, null, a.instance()));
            if (outcome.served() || outcome == Outcome.REJECTED_400) {
                return;
            }
            Daemons.sleep(200);
        }
    }

    private void search(int id) {
        String name = "q" + id;
        while (running) {
            String prefix = runId + "-" + ThreadLocalRandom.current().nextInt(Math.max(sessions, 1));
            long start = System.currentTimeMillis();
            Answer a = client.search(prefix);
            ledger.add(new Op(Kind.SEARCH, name, "", 1, start, System.currentTimeMillis(), a.outcome(), a.status(),
                    null, null, null, a.instance()));
            Daemons.sleep(a.outcome() == Outcome.OK ? 50 : 200);
        }
    }

}
