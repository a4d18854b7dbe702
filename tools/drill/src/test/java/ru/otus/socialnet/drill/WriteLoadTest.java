package ru.otus.socialnet.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import ru.otus.socialnet.drill.WriteLoad.Attempt;
import ru.otus.socialnet.drill.WriteLoad.Outcome;

/**
 * How the drill's client classifies the service's answers, against a stand-in HTTP server that
 * answers in turn with each kind the service's contract has (the drill's verdict rests on this).
 */
class WriteLoadTest {

    /** Answers in turn; the outcome each must be recorded as. */
    record Answer(int status, String body, Outcome outcome) {
    }

    static final List<Answer> ANSWERS = List.of(
            new Answer(200, "{\"user_id\":\"42\"}", Outcome.ACKNOWLEDGED),
            new Answer(503, "{\"code\":50301}", Outcome.UNAVAILABLE_503),
            new Answer(504, "{\"code\":50401,\"idempotency_key\":\"k\"}", Outcome.OUTCOME_UNKNOWN_504),
            new Answer(500, "{}", Outcome.SERVER_ERROR_5XX),
            new Answer(200, "{}", Outcome.SERVER_ERROR_5XX),
            new Answer(422, "{\"code\":42201}", Outcome.REJECTED_4XX));

    @Test
    void everyAnswerOfTheContractIsClassifiedAndOnly200WithAUserIdIsAcknowledged() throws Exception {
        AtomicInteger served = new AtomicInteger();
        // Port 0: any free port, so two builds on one machine never collide here.
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/user/register", exchange -> {
            Answer a = ANSWERS.get(served.getAndIncrement() % ANSWERS.size());
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(a.status(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            WriteLoad load = new WriteLoad(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "unit", 1,
                    Duration.ofSeconds(5));
            load.start();
            // Twelve answers from a local server take milliseconds; a client that stops sending (or
            // hangs on one answer) fails here instead of holding the build.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (load.attempts().size() < 2 * ANSWERS.size() && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            load.stop();
            assertThat(load.attempts()).as("attempts recorded within 20 s").hasSizeGreaterThanOrEqualTo(2 * ANSWERS.size());
            List<Attempt> attempts = load.attempts();
            for (int i = 0; i < attempts.size(); i++) {
                assertThat(attempts.get(i).outcome()).as("answer %d: %s", i, ANSWERS.get(i % ANSWERS.size()))
                        .isEqualTo(ANSWERS.get(i % ANSWERS.size()).outcome());
            }
        } finally {
            server.stop(0);
        }
    }
}
