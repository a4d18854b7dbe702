package ru.otus.socialnet.system;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The service's own OpenAPI description, served by springdoc at {@code /v3/api-docs} (YAML:
 * {@code /v3/api-docs.yaml}, UI: {@code /swagger-ui.html}). springdoc derives the paths,
 * parameters and request bodies from the controllers and their validation annotations; this
 * class adds what the code's types cannot say, so that the description matches the OTUS
 * Highload Architect spec v1.2.0 (the same paths, snake_case fields, ids as strings, the error
 * body {@code message}/{@code request_id}/{@code code}) plus what this project adds: the
 * consistency token, {@code Idempotency-Key}, {@code limit}, and the 405/406/409/413/415/422/503/504
 * answers. The suite checks every response it gets against this description (ApiContract).
 */
@Configuration(proxyBeanMethods = false)
class ApiDescription {

    static final String ERROR = "Error";
    static final String USER_ID = "UserId";
    private static final String REQUEST_ID = "X-Request-Id";
    private static final String CONSISTENCY_TOKEN = "X-Consistency-Token";
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final String TOKEN_FORMAT = "^[0-9A-Fa-f]{8}/[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$";

    /**
     * springdoc builds schemas with swagger-core's own (Jackson 2) mapper, which knows nothing of
     * the service's Jackson 3 naming (JsonConfiguration): tell it the same snake_case.
     */
    @Bean
    ModelResolver snakeCaseSchemas() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    OpenApiCustomizer otusShapes(@Value("${socialnet.search.max-limit:1000}") int maxLimit,
                                 @Value("${socialnet.search.default-limit:100}") int defaultLimit) {
        return api -> {
            api.info(new Info().title("socialnet-replication").version("1.2.0-socialnet")
                    .description("""
                            The OTUS Highload Architect API v1.2.0 (/login, /user/register, /user/get/{id}, \
                            /user/search) as this service implements it, with its additions: the \
                            X-Consistency-Token header (read your writes), Idempotency-Key on registration, \
                            the limit of a search, and error answers that always carry message, request_id \
                            and code. A method a path does not have is answered 405, a path that does not \
                            exist 404, both with the Error body; an Accept the answer cannot satisfy is 406 \
                            and nothing is stored."""));
            components(api);
            paths(api, maxLimit, defaultLimit);
        };
    }

    private static void components(OpenAPI api) {
        Components components = api.getComponents() != null ? api.getComponents() : new Components();
        api.components(components);
        components.addSchemas(USER_ID, new StringSchema().pattern("^[1-9][0-9]{0,18}$")
                .description("A user id: a positive integer written in ASCII digits, as a string"));
        components.addSchemas(ERROR, new ObjectSchema()
                .description("Every error answer: RFC 9457 problem fields plus the spec's message, request_id and code")
                .addProperty("message", new StringSchema().description("what went wrong, for humans"))
                .addProperty("request_id", new StringSchema().description("also in the X-Request-Id header and every log line of the request"))
                .addProperty("code", new IntegerSchema().description("stable number; its first three digits are the HTTP status"))
                .addProperty("type", new StringSchema())
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty("idempotency_key", new StringSchema()
                        .description("on a 504: resending the same request with this key is safe"))
                // errors the container raises before a controller runs (a TRACE, a broken chunked body)
                // are rendered by Spring Boot's /error, which adds these
                .addProperty("timestamp", new StringSchema())
                .addProperty("error", new StringSchema())
                .addProperty("path", new StringSchema())
                .required(List.of("message", "request_id", "code")));
        Map<String, Schema> schemas = components.getSchemas();
        Schema<?> registration = schemas.get("RegistrationRequest");
        if (registration != null) {
            registration.description("Names and city: one line of visible text, no control or bidirectional "
                    + "override characters; stored in Unicode NFC without surrounding spaces. Biography: text, "
                    + "line breaks allowed. Every field a JSON string; keys at most once.");
            for (String name : List.of("first_name", "second_name", "city")) {
                ((Schema<?>) registration.getProperties().get(name)).minLength(1);
            }
            ((Schema<?>) registration.getProperties().get("password")).minLength(8)
                    .description("8 characters to 72 bytes of UTF-8 (bcrypt's limit); stored only as a bcrypt hash");
            ((Schema<?>) registration.getProperties().get("birthdate"))
                    .description("YYYY-MM-DD, a real date in the past, not before 1900");
        }
        schemas.values().forEach(schema -> {
            Map<String, Schema> properties = schema.getProperties();
            if (properties != null && properties.get("id") instanceof Schema<?> id && "string".equals(id.getType())) {
                properties.put("id", ref(USER_ID));
            }
        });
    }

    private static void paths(OpenAPI api, int maxLimit, int defaultLimit) {
        operation(api, "/user/register", PathItem::getPost, op -> {
            op.description("Registration of a new user. With Idempotency-Key, a retry of the same request "
                    + "returns the same user_id and stores no second user.");
            header(op, IDEMPOTENCY_KEY, "1 to 255 visible ASCII characters (or that in structured-field quotes); "
                    + "the same key with the same body answers the same user_id", null);
            ok(op, object("user_id", ref(USER_ID)), true);
            errors(op, Map.of(
                    "400", "invalid input, malformed body or Idempotency-Key",
                    "409", "a request with the same Idempotency-Key is still in progress (nothing new stored)",
                    "413", "the body is larger than the limit",
                    "415", "the body is not application/json",
                    "422", "the same Idempotency-Key was used with a different body (nothing stored)",
                    "504", "the commit's outcome is unknown: resend with the idempotency_key of the body"));
        });
        operation(api, "/login", PathItem::getPost, op -> {
            ok(op, object("token", new StringSchema()), true);
            errors(op, Map.of(
                    "400", "malformed body or id, or wrong password",
                    "404", "no user with this id",
                    "413", "the body is larger than the limit",
                    "415", "the body is not application/json"));
        });
        operation(api, "/user/get/{id}", PathItem::getGet, op -> {
            op.getParameters().stream().filter(p -> "id".equals(p.getName())).forEach(p -> p.schema(ref(USER_ID)));
            readConsistency(op);
            errors(op, Map.of("400", "malformed id or consistency token", "404", "no user with this id"));
        });
        operation(api, "/user/search", PathItem::getGet, op -> {
            op.description("Users whose first and last names start with the given prefixes "
                    + "(case-insensitive, Unicode NFC), in id order.");
            op.getParameters().stream().filter(p -> "limit".equals(p.getName())).forEach(p -> p
                    .description("page size, " + defaultLimit + " when not given")
                    .schema(new IntegerSchema().minimum(java.math.BigDecimal.ONE)
                            .maximum(java.math.BigDecimal.valueOf(maxLimit))));
            op.getParameters().stream().filter(p -> p.getName().endsWith("_name"))
                    .forEach(p -> p.getSchema().minLength(1));
            readConsistency(op);
            errors(op, Map.of("400", "missing, blank or malformed parameters or consistency token"));
        });
    }

    /** Every operation may also answer these. */
    private static void errors(Operation op, Map<String, String> specific) {
        Map<String, String> all = new LinkedHashMap<>(specific);
        all.putIfAbsent("406", "the Accept header excludes application/json (nothing is stored)");
        all.put("500", "an unexpected failure");
        all.put("503", "the database cannot serve now (nothing stored); retry after Retry-After seconds");
        ApiResponses responses = op.getResponses();
        all.forEach((status, description) -> {
            ApiResponse response = new ApiResponse().description(description).content(errorContent());
            response.addHeaderObject(REQUEST_ID, requestIdHeader());
            if ("503".equals(status)) {
                response.addHeaderObject("Retry-After", new Header().required(true)
                        .schema(new IntegerSchema()).description("seconds"));
            }
            responses.addApiResponse(status, response);
        });
    }

    private static Content errorContent() {
        MediaType error = new MediaType().schema(ref(ERROR));
        return new Content().addMediaType("application/problem+json", error).addMediaType("application/json", error);
    }

    /** The 200 answer: {@code schema} as JSON; a write also carries the consistency token. */
    private static void ok(Operation op, Schema<?> schema, boolean write) {
        ApiResponse ok = new ApiResponse().description("OK")
                .content(new Content().addMediaType("application/json", new MediaType().schema(schema)));
        ok.addHeaderObject(REQUEST_ID, requestIdHeader());
        if (write) {
            ok.addHeaderObject(CONSISTENCY_TOKEN, new Header().required(true)
                    .description("timeline/WAL position of the commit: send it back on reads to see this write")
                    .schema(new StringSchema().pattern(TOKEN_FORMAT)));
        }
        op.getResponses().addApiResponse("200", ok);
    }

    private static void readConsistency(Operation op) {
        header(op, CONSISTENCY_TOKEN, "a token from an earlier write: this read sees that write", TOKEN_FORMAT);
        op.getResponses().values().forEach(r -> r.addHeaderObject(REQUEST_ID, requestIdHeader()));
    }

    private static void header(Operation op, String name, String description, String pattern) {
        if (op.getParameters() != null && op.getParameters().stream().anyMatch(p -> name.equalsIgnoreCase(p.getName()))) {
            return; // the controller declares it: springdoc already described it
        }
        Parameter header = new HeaderParameter().name(name).required(false).description(description)
                .schema(pattern != null ? new StringSchema().pattern(pattern) : new StringSchema());
        op.addParametersItem(header);
    }

    private static Header requestIdHeader() {
        return new Header().description("the request's id (the client's own when it sent a sane one)")
                .schema(new StringSchema());
    }

    private static Schema<?> object(String property, Schema<?> schema) {
        return new ObjectSchema().addProperty(property, schema).required(List.of(property));
    }

    @SuppressWarnings("rawtypes")
    private static Schema ref(String component) {
        return new Schema<>().$ref("#/components/schemas/" + component);
    }

    private static void operation(OpenAPI api, String path, java.util.function.Function<PathItem, Operation> method,
                                  Consumer<Operation> change) {
        PathItem item = api.getPaths() != null ? api.getPaths().get(path) : null;
        Operation op = item != null ? method.apply(item) : null;
        if (op == null) {
            throw new IllegalStateException("the API description has no " + path + ": the controllers changed");
        }
        change.accept(op);
    }
}
