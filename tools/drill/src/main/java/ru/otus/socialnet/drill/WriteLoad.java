package ru.otus.socialnet.drill;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Write load through the service: each writer registers users in a loop, every request with a
 * unique marker (the last name), and records what the client saw. Only an HTTP 200 carrying a
 * {@code user_id} counts as acknowledged: that is the promise a lost write would break. Every
 * other answer promises nothing either way — except that a rejected (4xx) or unavailable (503)
 * request stored nothing — and the count on the new primary says what became of it.
 */
public final class WriteLoad {

    public static final String FIRST_NAME = "Drill";

    /** What one request ended with, as a client would classify it. */
    public enum Outcome {
        /** 200 with a user_id: stored, and promised to stay stored. */
        ACKNOWLEDGED,
        /** 503: the database could not take the write; nothing stored. */
        UNAVAILABLE_503,
        /**
         * 504: the COMMIT was sent but its outcome is unknown (the service's contract): maybe
         * stored. Never acknowledged, so never a loss; a duplicate only if stored twice.
         */
        OUTCOME_UNKNOWN_504,
        /** Any other 5xx, or a 200 without a user_id. */
        SERVER_ERROR_5XX,
        REJECTED_4XX,
        CONNECTION_REFUSED,
        TIMEOUT,
        IO_ERROR
    }

    public record Attempt(String marker, long startMs, long endMs, Outcome outcome) {
    }

    private static final Pattern USER_ID = Pattern.compile("\"user_id\"\\s*:\\s*\"\\d+\"");

    private final URI register;
    private final String runId;
    private final int writers;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public WriteLoad(URI service, String runId, int writers, Duration requestTimeout) {
        this.register = service.resolve("/user/register");
        this.runId = runId;
        this.writers = writers;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    public void start() {
        running = true;
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer), "drill-writer-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Stops the writers and waits for their requests in flight to end. */
    public void stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(requestTimeout.toMillis() + 5_000);
        }
    }

    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    private void write(int writer) {
        for (long seq = 0; running; seq++) {
            String marker = runId + "-" + writer + "-" + seq;
            long start = System.currentTimeMillis();
            Outcome outcome = send(marker);
            attempts.add(new Attempt(marker, start, System.currentTimeMillis(), outcome));
            if (outcome != Outcome.ACKNOWLEDGED) {
                pause(50); // do not spin while the service is answering errors
            }
        }
    }

    private Outcome send(String marker) {
        String body = """
                {"first_name":"%s","second_name":"%s","birthdate":"1990-01-01","biography":"failover drill",\
                "city":"Drillgrad","password":"drill-password"}""".formatted(FIRST_NAME, marker);
        HttpRequest request = HttpRequest.newBuilder(register).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status == 200) {
                Matcher m = USER_ID.matcher(response.body());
                return m.find() ? Outcome.ACKNOWLEDGED : Outcome.SERVER_ERROR_5XX;
            }
            if (status == 503) {
                return Outcome.UNAVAILABLE_503;
            }
            if (status == 504) {
                return Outcome.OUTCOME_UNKNOWN_504;
            }
            return status >= 500 ? Outcome.SERVER_ERROR_5XX : Outcome.REJECTED_4XX;
        } catch (HttpTimeoutException e) {
            return Outcome.TIMEOUT;
        } catch (ConnectException e) {
            return Outcome.CONNECTION_REFUSED;
        } catch (IOException e) {
            return Outcome.IO_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return Outcome.IO_ERROR;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
