package ru.otus.socialnet.system;

import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Error bodies for requests Tomcat refuses before the application sees them: an undecodable or
 * non-normalisable path ({@code /user/get/%C0%AF}, {@code /user/get/..%2F..%2Fetc}), a NUL in the
 * path, a malformed request line or a missing Host header. Tomcat answers those 400s from its
 * host's error report valve, as an HTML page; this replaces that valve by one that writes the same
 * JSON fields as every other error of the API ({@code message}, {@code request_id}, {@code code}).
 * It only writes when nothing else has: errors of requests the application handles keep their
 * own bodies.
 */
@Component
class ContainerErrorBodies implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            // Spring Boot installs its own ErrorReportValve in a context customizer of its own
            // (ordered before this one): take its place.
            StandardHost host = (StandardHost) context.getParent();
            for (Valve valve : host.getPipeline().getValves()) {
                if (valve instanceof ErrorReportValve) {
                    host.getPipeline().removeValve(valve);
                }
            }
            host.setErrorReportValveClass(JsonErrorValve.class.getName());
            host.getPipeline().addValve(new JsonErrorValve());
        });
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    static final class JsonErrorValve extends ErrorReportValve {

        private static final JsonMapper JSON = JsonMapper.builder().build();

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            // As Tomcat's own valves: nothing below 400, nothing when a body was written, once.
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(false);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            ApiError error = ApiError.forStatus(status);
            HttpStatus known = HttpStatus.resolve(status);
            String reason = known != null ? known.getReasonPhrase() : "error";
            String message = status < 500 && response.getMessage() != null && !response.getMessage().isBlank()
                    ? response.getMessage() : reason;
            Object id = request.getAttribute(RequestIdFilter.MDC_KEY);
            String requestId = id != null ? id.toString() : UUID.randomUUID().toString();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", status);
            body.put("title", reason);
            body.put("detail", message);
            body.put("message", message);
            body.put("request_id", requestId);
            body.put("code", error.code());
            try {
                response.setContentType("application/problem+json");
                response.setCharacterEncoding("UTF-8");
                response.setHeader(RequestIdFilter.HEADER, requestId);
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write(JSON.writeValueAsString(body));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the connection is gone: nobody to tell
            }
        }
    }
}
