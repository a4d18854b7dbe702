package ru.otus.socialnet.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client for the running service: the tests see exactly what a user's client sees.
 * Every response is also checked against the service's published OpenAPI description
 * ({@link ApiContract}): a test whose request got an answer the description does not allow fails.
 */
public final class Api {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    public Api(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Status, headers and the body parsed as JSON (null when it is not JSON). */
    public record Response(int status, HttpResponse<String> raw, JsonNode json) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String text(String field) {
            JsonNode node = json == null ? null : json.get(field);
            return node == null || node.isNull() ? null : node.asString();
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Response get(String path, Map<String, String> query) {
        String qs = query.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        return get(path + "?" + qs);
    }

    public Response postJson(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response postJson(String path, Map<String, ?> body) {
        return postJson(path, JSON.writeValueAsString(body));
    }

    /** Registers a user with these names and a fixed valid rest; returns the response. */
    public Response register(String firstName, String secondName) {
        return postJson("/user/register", user(firstName, secondName));
    }

    /** A valid registration body; callers change what they test. */
    public static Map<String, Object> user(String firstName, String secondName) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("first_name", firstName);
        body.put("second_name", secondName);
        body.put("birthdate", "1991-04-12");
        body.put("biography", "Шахматы, походы");
        body.put("city", "Казань");
        body.put("password", "correct horse battery");
        return body;
    }

    public Response send(HttpRequest.Builder builder) {
        try {
            HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            URI uri = request.uri();
            ApiContract.of(base).check(request.method(), uri.getRawPath()
                    + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : ""), response.statusCode(),
                    response.headers().map(), response.body());
            JsonNode json = null;
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (type.contains("json") && !response.body().isEmpty()) {
                json = JSON.readTree(response.body());
            }
            return new Response(response.statusCode(), response, json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
