package ru.otus.socialnet.routing;

import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ru.otus.socialnet.testsupport.Api;

/** N clients sending searches back to back until stopped; counts answers and failures. */
final class SearchLoad implements AutoCloseable {

    /** The "status" of a request that got no HTTP answer. */
    static final int NO_ANSWER = -1;

    private final ExecutorService clients;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong slowestMillis = new AtomicLong();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<Integer, AtomicLong> failedByStatus = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    SearchLoad(Api api, int clientCount) {
        clients = Executors.newFixedThreadPool(clientCount);
        for (int i = 0; i < clientCount; i++) {
            clients.submit(() -> {
                while (running) {
                    long start = System.nanoTime();
                    try {
                        Api.Response r = api.get("/user/search", Map.of("first_name", "Ла", "last_name", "Ну"));
                        slowestMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                        if (r.status() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            failedByStatus.computeIfAbsent(r.status(), k -> new AtomicLong()).incrementAndGet();
                            failures.add(r.status() + " " + r.raw().body());
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        failedByStatus.computeIfAbsent(NO_ANSWER, k -> new AtomicLong()).incrementAndGet();
                        failures.add(e.toString());
                    }
                }
            });
        }
    }

    long ok() {
        return ok.get();
    }

    long failed() {
        return failed.get();
    }

    /** Failed requests by HTTP status; {@link #NO_ANSWER} for those that got none (timeout, refused). */
    Map<Integer, Long> failedByStatus() {
        Map<Integer, Long> counts = new TreeMap<>();
        failedByStatus.forEach((status, n) -> counts.put(status, n.get()));
        return counts;
    }

    /** The longest any request took, in ms, since the load started or the last {@link #resetSlowest}. */
    long slowestMillis() {
        return slowestMillis.get();
    }

    void resetSlowest() {
        slowestMillis.set(0);
    }

    /** Up to 5 failure descriptions, for the assertion message. */
    String someFailures() {
        return String.join("\n", failures.stream().limit(5).toList());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        clients.shutdown();
        clients.awaitTermination(60, TimeUnit.SECONDS);
    }
}
