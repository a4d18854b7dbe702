package ru.otus.socialnet.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * The service's published OpenAPI description ({@code /v3/api-docs}), used to check real
 * responses with Atlassian's swagger-request-validator (JSON Schema validation of bodies,
 * documented statuses, content types and required headers). {@link Api} checks every response
 * the suite receives; the corpus checks its raw responses the same way.
 *
 * <p>A response of a path or method the description does not have (actuator endpoints, a wrong
 * method, an unknown path) has no operation to be checked against; when it is an error it must
 * still be an {@code Error} body — except the health endpoints, whose 503 carries the health
 * report an orchestrator reads (Spring Boot's format, not the API's).
 */
public final class ApiContract {

    private static final Map<String, ApiContract> BY_BASE = new ConcurrentHashMap<>();
    private static final java.util.regex.Pattern HEALTH =
            java.util.regex.Pattern.compile("/actuator/health(/.*)?|/livez|/readyz");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String json;
    private final OpenAPI api;
    private final OpenApiInteractionValidator validator;
    private final SchemaValidator schemas;
    private final List<java.util.regex.Pattern> paths;

    private ApiContract(String json) {
        this.json = json;
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(json, null, options);
        if (parsed.getOpenAPI() == null || (parsed.getMessages() != null && !parsed.getMessages().isEmpty())) {
            throw new AssertionError("the published OpenAPI description does not parse: " + parsed.getMessages());
        }
        this.api = parsed.getOpenAPI();
        this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(json).build();
        this.schemas = new SchemaValidator(api, new MessageResolver());
        // The service matches paths exactly (case, trailing slash), the validator more leniently.
        this.paths = api.getPaths().keySet().stream()
                .map(template -> java.util.regex.Pattern.compile(
                        java.util.regex.Pattern.quote(template).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q")))
                .toList();
    }

    /** The description served by the service at {@code base} (fetched once per service). */
    public static ApiContract of(String base) {
        return BY_BASE.computeIfAbsent(base, ApiContract::fetch);
    }

    private static ApiContract fetch(String base) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v3/api-docs"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + base + "/v3/api-docs -> " + r.statusCode() + ": the service "
                        + "publishes no OpenAPI description");
            }
            return new ApiContract(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public OpenAPI api() {
        return api;
    }

    public String json() {
        return json;
    }

    /** What in this response contradicts the description (empty when nothing does). */
    public List<String> violations(String method, String target, int status, Map<String, List<String>> headers,
                                   String body) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        if (HEALTH.matcher(path).matches()) {
            return List.of();
        }
        if (paths.stream().noneMatch(p -> p.matcher(path).matches())) {
            return errorBodyViolations(status, headers, body);
        }
        Request.Method m;
        try {
            m = Request.Method.valueOf(method.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return errorBodyViolations(status, headers, body);
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status).withBody(body == null ? "" : body);
        headers.forEach((name, values) -> {
            if (name != null) {
                response.withHeader(name, values);
            }
        });
        ValidationReport report = validator.validateResponse(path, m, response.build());
        boolean noOperation = report.getMessages().stream().anyMatch(msg ->
                msg.getKey().equals("validation.request.path.missing")
                        || msg.getKey().equals("validation.request.operation.notAllowed"));
        if (noOperation) {
            return errorBodyViolations(status, headers, body);
        }
        return describe(report);
    }

    /** Fails the calling test when the response contradicts the description. */
    public void check(String method, String target, int status, Map<String, List<String>> headers, String body) {
        List<String> violations = violations(method, target, status, headers, body);
        if (!violations.isEmpty()) {
            throw new AssertionError(method + " " + target + " -> " + status + " does not match the published "
                    + "OpenAPI description:\n  " + String.join("\n  ", violations) + "\nbody: " + body);
        }
    }

    private List<String> errorBodyViolations(int status, Map<String, List<String>> headers, String body) {
        if (status < 400) {
            return List.of();
        }
        String type = headers.entrySet().stream().filter(e -> "content-type".equalsIgnoreCase(e.getKey()))
                .flatMap(e -> e.getValue().stream()).findFirst().orElse("");
        if (!type.contains("json")) {
            return List.of("an error answer that is not a JSON error body (Content-Type '" + type + "')");
        }
        return describe(schemas.validate(body, api.getComponents().getSchemas().get("Error"), "response.body"));
    }

    private static List<String> describe(ValidationReport report) {
        return report.getMessages().stream()
                .filter(msg -> msg.getLevel() == ValidationReport.Level.ERROR)
                .map(msg -> msg.getKey() + ": " + msg.getMessage()
                        + (msg.getAdditionalInfo().isEmpty() ? "" : " " + msg.getAdditionalInfo()))
                .collect(Collectors.toList());
    }
}
