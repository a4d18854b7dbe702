package ru.otus.socialnet.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import ru.otus.socialnet.testsupport.Api;
import ru.otus.socialnet.testsupport.ApiContract;
import ru.otus.socialnet.testsupport.ReplicatedServiceTest;
import ru.otus.socialnet.testsupport.RawHttp;

/**
 * The published OpenAPI description: where it is, that it has the OTUS v1.2.0 shapes and the
 * project's additions, and that real answers of every documented kind match it. (Every other
 * test's responses are checked against it too, by {@link Api}.)
 */
class OpenApiContractIT extends ReplicatedServiceTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping handlerMapping;

    private OpenAPI description() {
        return ApiContract.of("http://127.0.0.1:" + port).api();
    }

    @Test
    void isPublishedAsJsonYamlAndAUi() {
        assertThat(api.get("/v3/api-docs").status()).isEqualTo(200);
        Api.Response yaml = api.get("/v3/api-docs.yaml");
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.raw().body()).contains("openapi: 3.0").contains("/user/register:");
        assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }

    /** The service's own endpoints, as its controllers map them (not springdoc's, not Boot's error page). */
    private Set<String> controllerPaths() {
        return handlerMapping.getHandlerMethods().entrySet().stream()
                .filter(e -> e.getValue().getBeanType().getPackageName().startsWith("ru.otus.socialnet."))
                .flatMap(e -> e.getKey().getPatternValues().stream())
                .collect(Collectors.toSet());
    }

    /**
     * Every endpoint a controller maps is described, and nothing else: a new endpoint is checked
     * (its answers then go through the validation every test's responses get), not rejected.
     */
    @Test
    void describesEveryEndpointTheControllersMap() {
        Set<String> mapped = controllerPaths();
        assertThat(mapped).as("the OTUS endpoints, at least").contains("/login", "/user/register", "/user/get/{id}",
                "/user/search");
        assertThat(description().getPaths().keySet()).containsExactlyInAnyOrderElementsOf(mapped);
    }

    @Test
    void hasTheOtusShapes() {
        OpenAPI d = description();
        assertThat(d.getOpenapi()).startsWith("3.0");
        Schema<?> registration = bodySchema(d.getPaths().get("/user/register").getPost());
        assertThat(registration.getProperties().keySet())
                .containsExactlyInAnyOrder("first_name", "second_name", "birthdate", "biography", "city", "password");
        assertThat(registration.getProperties().get("birthdate").getFormat()).isEqualTo("date");
        assertThat(registration.getRequired()).doesNotContain("biography");
        assertThat(bodySchema(d.getPaths().get("/login").getPost()).getProperties().keySet())
                .containsExactlyInAnyOrder("id", "password");
        assertThat(d.getComponents().getSchemas().get("UserId").getType()).isEqualTo("string");
        assertThat(d.getComponents().getSchemas().get("Error").getRequired())
                .containsExactlyInAnyOrder("message", "request_id", "code");
        Operation search = d.getPaths().get("/user/search").getGet();
        assertThat(search.getParameters()).filteredOn(p -> "query".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired()))
                .extracting(Parameter::getName).containsExactlyInAnyOrder("first_name", "last_name");
    }

    @Test
    void hasTheProjectsAdditions() {
        OpenAPI d = description();
        Operation register = d.getPaths().get("/user/register").getPost();
        assertThat(register.getParameters()).extracting(Parameter::getName).contains("Idempotency-Key");
        assertThat(register.getResponses().keySet())
                .contains("200", "400", "406", "409", "413", "415", "422", "500", "503", "504");
        assertThat(register.getResponses().get("200").getHeaders()).containsKey("X-Consistency-Token");
        assertThat(register.getResponses().get("503").getHeaders()).containsKey("Retry-After");
        assertThat(d.getPaths().get("/login").getPost().getResponses().keySet()).contains("200", "400", "404", "406", "415");
        for (String read : List.of("/user/get/{id}", "/user/search")) {
            assertThat(d.getPaths().get(read).getGet().getParameters()).extracting(Parameter::getName)
                    .as(read).contains("X-Consistency-Token");
        }
        Parameter limit = d.getPaths().get("/user/search").getGet().getParameters().stream()
                .filter(p -> p.getName().equals("limit")).findFirst().orElseThrow();
        assertThat(limit.getRequired()).isFalse();
        assertThat(limit.getSchema().getMinimum()).isEqualByComparingTo("1");
        assertThat(limit.getSchema().getMaximum()).isEqualByComparingTo("1000");
    }

    /** One answer of each documented kind, each checked against the description by Api/RawHttp. */
    @Test
    void answersOfEveryKindMatchIt() {
        Api.Response registered = api.register(unique("Контракт"), "Описанный");
        assertThat(registered.status()).isEqualTo(200);
        String id = registered.text("user_id");
        String token = registered.header("X-Consistency-Token");
        assertThat(api.postJson("/login", Map.of("id", id, "password", "correct horse battery")).status()).isEqualTo(200);
        assertThat(api.postJson("/login", Map.of("id", id, "password", "wrong password")).status()).isEqualTo(400);
        assertThat(api.postJson("/login", Map.of("id", "987654321", "password", "whatever1")).status()).isEqualTo(404);
        assertThat(api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/user/get/" + id))
                .header("X-Consistency-Token", token).GET()).status()).isEqualTo(200);
        assertThat(api.get("/user/get/987654321").status()).isEqualTo(404);
        assertThat(api.get("/user/get/abc").status()).isEqualTo(400);
        assertThat(api.get("/user/search", Map.of("first_name", "Кон", "last_name", "Опи")).status()).isEqualTo(200);
        assertThat(api.get("/user/search", Map.of("first_name", "Кон", "last_name", "Опи", "limit", "0")).status())
                .isEqualTo(400);
        assertThat(api.postJson("/user/register", "{").status()).isEqualTo(400);
        RawHttp raw = new RawHttp(port);
        assertThat(raw.send(RawHttp.request("POST", "/user/register").json("{}").header("Accept", "text/plain")).status())
                .isEqualTo(406);
        assertThat(raw.send(RawHttp.request("POST", "/user/register").header("Content-Type", "text/plain")
                .body(new byte[] {'x'})).status()).isEqualTo(415);
        assertThat(raw.send(RawHttp.request("POST", "/user/register").json("\"" + "x".repeat(2 << 20) + "\"")).status())
                .isEqualTo(413);
        assertThat(raw.send(RawHttp.request("DELETE", "/user/get/1")).status()).isEqualTo(405);
        assertThat(raw.send(RawHttp.request("TRACE", "/user/get/1")).status()).isEqualTo(405);
        assertThat(raw.send(RawHttp.request("GET", "/no/such/path")).status()).isEqualTo(404);
        assertThat(raw.send(RawHttp.request("GET", "/user/get/%C0%AF")).status()).isEqualTo(400);
    }

    /** A response the description does not allow is caught: the check itself can fail. */
    @Test
    void theCheckCatchesAnAnswerTheDescriptionDoesNotAllow() {
        ApiContract contract = ApiContract.of("http://127.0.0.1:" + port);
        Map<String, List<String>> json = Map.of("Content-Type", List.of("application/json"));
        assertThat(contract.violations("GET", "/user/get/1", 200, json, "{\"id\":1,\"first_name\":\"x\"}"))
                .as("a numeric id").isNotEmpty();
        assertThat(contract.violations("GET", "/user/get/1", 200, json, "{\"id\":\"1\",\"password\":\"x\"}"))
                .as("an undocumented field").isNotEmpty();
        assertThat(contract.violations("POST", "/user/register", 200, json, "{\"user_id\":\"1\"}"))
                .as("a write without X-Consistency-Token").isNotEmpty();
        assertThat(contract.violations("POST", "/user/register", 418, json, "{}"))
                .as("an undocumented status").isNotEmpty();
        assertThat(contract.violations("GET", "/user/get/1", 404, Map.of("Content-Type", List.of("application/problem+json")),
                "{\"message\":\"not found\"}")).as("an error body without request_id and code").isNotEmpty();
        assertThat(contract.violations("DELETE", "/user/get/1", 405, Map.of("Content-Type", List.of("text/html")),
                "<html></html>")).as("an HTML error page").isNotEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Schema<Object> bodySchema(Operation op) {
        Schema<?> schema = op.getRequestBody().getContent().get("application/json").getSchema();
        return (Schema<Object>) schema;
    }
}
