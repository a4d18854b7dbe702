package ru.otus.socialnet.chaos;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import ru.otus.socialnet.chaos.Op.Outcome;

/**
 * The campaign's HTTP client: the three requests of the workload, each bounded in time, each answer
 * classified the way a careful client would ({@link Outcome}). The requests are spread over the
 * service's instances as a load balancer would ({@link ServiceInstances}: a request no connection
 * could be made for goes to the next instance); nothing sent is retried here: the workload decides.
 */
final class ServiceClient {

    static final String FIRST_NAME = "Chaos";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String TOKEN = "X-Consistency-Token";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * One answer: the outcome, what the client keeps from it, and the number (1, 2...) of the instance
     * that gave it (when none could be reached: the last one tried).
     */
    record Answer(Outcome outcome, int status, String userId, String token, String secondName, long retryAfterMs,
                  int instance) {
    }

    private final ServiceInstances instances;
    private final HttpClient http;
    private final Duration writeTimeout;
    private final Duration readTimeout;

    ServiceClient(ServiceInstances instances, Duration writeTimeout, Duration readTimeout) {
        this.instances = instances;
        this.writeTimeout = writeTimeout;
        this.readTimeout = readTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** {@code POST /user/register} of the user whose last name is {@code marker}, with an Idempotency-Key. */
    Answer register(String marker, String key) {
        String body = """
                {"first_name":"%s","second_name":"%s","birthdate":"1990-01-01","biography":"fault campaign",\
                "city":"Chaosgrad","password":"chaos-password"}""".formatted(FIRST_NAME, marker);
        return send(base -> HttpRequest.newBuilder(base.resolve("/user/register")).timeout(writeTimeout)
                .header("Content-Type", "application/json").header(IDEMPOTENCY_KEY, key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** {@code GET /user/get/{id}} carrying the client's consistency token. */
    Answer get(String userId, String token) {
        return send(base -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/user/get/" + userId)).timeout(readTimeout).GET();
            if (token != null) {
                request.header(TOKEN, token);
            }
            return request.build();
        });
    }

    /** {@code GET /user/search} for the campaign's users whose last name starts with {@code prefix}. */
    Answer search(String prefix) {
        String query = "first_name=" + enc(FIRST_NAME) + "&last_name=" + enc(prefix) + "&limit=20";
        return send(base -> HttpRequest.newBuilder(base.resolve("/user/search?" + query)).timeout(readTimeout).GET().build());
    }

    /** To the instance whose turn it is; to the next when no connection could be established (nothing was sent). */
    private Answer send(Function<URI, HttpRequest> request) {
        return instances.send(i -> send(request.apply(instances.base(i)), i + 1), a -> a.outcome() == Outcome.NO_CONNECTION);
    }

    private Answer send(HttpRequest request, int instance) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            String token = r.headers().firstValue(TOKEN).orElse(null);
            int status = r.statusCode();
            if (status == 200) {
                JsonNode json = parse(r.body());
                String userId = text(json, "user_id");
                String secondName = text(json, "second_name");
                return new Answer(Outcome.OK, status, userId, token, secondName, 0, instance);
            }
            long retryAfter = r.headers().firstValue("Retry-After").map(ServiceClient::seconds).orElse(0L) * 1000;
            return new Answer(classify(status), status, null, token, null, retryAfter, instance);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new Answer(Outcome.NO_CONNECTION, 0, null, null, null, 0, instance);
        } catch (HttpTimeoutException e) {
            return new Answer(Outcome.TIMEOUT, 0, null, null, null, 0, instance);
        } catch (IOException e) {
            return new Answer(Outcome.IO_ERROR, 0, null, null, null, 0, instance);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(Outcome.IO_ERROR, 0, null, null, null, 0, instance);
        }
    }

    static Outcome classify(int status) {
        return switch (status) {
            case 200 -> Outcome.OK;
            case 400 -> Outcome.REJECTED_400;
            case 404 -> Outcome.NOT_FOUND;
            case 409 -> Outcome.CONFLICT_409;
            case 422 -> Outcome.REJECTED_422;
            case 503 -> Outcome.UNAVAILABLE_503;
            case 504 -> Outcome.UNKNOWN_504;
            default -> status >= 500 ? Outcome.SERVER_ERROR_5XX : Outcome.OTHER_4XX;
        };
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json == null || !json.isObject() ? null : json.get(field);
        return node == null || node.isNull() ? null : node.asString();
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.strip());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
