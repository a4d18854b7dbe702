package ru.otus.socialnet.system;

import java.time.Duration;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;

import ru.otus.socialnet.routing.nodes.NodeFailure;
import ru.otus.socialnet.routing.transactions.CommitOutcomeUnknownException;

/**
 * Every error answer is a {@link ProblemDetail} that also carries the spec's fields: {@code message}
 * (for the client), {@code request_id} (to find the log lines) and {@code code} ({@link ApiError}).
 * A database that cannot be reached is a 503 with {@code Retry-After}, never a stack trace.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final long retryAfterSeconds;

    public ApiExceptionHandler(@Value("${socialnet.errors.retry-after:2s}") Duration retryAfter) {
        this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds());
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> handleApi(ApiException ex, HttpServletRequest request) {
        HttpHeaders headers = new HttpHeaders();
        if (ex.error() == ApiError.DATABASE_UNAVAILABLE || ex.error() == ApiError.REQUEST_IN_PROGRESS) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        ResponseEntity<Object> answer = answer(ex.error(), ex.getMessage(), headers, request);
        if (answer.getBody() instanceof ProblemDetail body) {
            ex.properties().forEach(body::setProperty);
        }
        return answer;
    }

    /**
     * A write whose COMMIT was cut off: it may be stored. Never a 503 with Retry-After, which would
     * invite a blind resend (and a second copy of the write).
     */
    @ExceptionHandler(CommitOutcomeUnknownException.class)
    ResponseEntity<Object> handleOutcomeUnknown(CommitOutcomeUnknownException ex, HttpServletRequest request) {
        log.warn("commit outcome unknown: {}", rootMessage(ex));
        return answer(ApiError.OUTCOME_UNKNOWN, "the write may or may not have been stored: the database's answer "
                + "to its commit never came; check before sending it again", new HttpHeaders(), request);
    }

    /**
     * The database (or the pool in front of it) cannot serve now — unreachable, no primary, a
     * statement or lock timeout, a conflict that outlived its retries: tell the client when to come
     * back. Nothing was committed.
     */
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessResourceException.class,
            QueryTimeoutException.class, PessimisticLockingFailureException.class,
            CannotCreateTransactionException.class, TransactionSystemException.class})
    ResponseEntity<Object> handleDatabaseDown(Exception ex, HttpServletRequest request) {
        log.warn("database unavailable: {}", rootMessage(ex));
        HttpHeaders headers = new HttpHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return answer(ApiError.DATABASE_UNAVAILABLE, "the database is temporarily unavailable; retry later",
                headers, request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> handleTypeMismatch(MethodArgumentTypeMismatchException ex, HttpServletRequest request) {
        return answer(ApiError.INVALID_INPUT, "'" + ex.getName() + "' has an invalid value", new HttpHeaders(), request);
    }

    /** Tomcat could not decode the query string (invalid percent-encoding, not UTF-8). */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Object> handleUndecodableQuery(InvalidParameterException ex, HttpServletRequest request) {
        // Tomcat's own message quotes the undecodable value: not for the log or the client.
        return answer(ApiError.INVALID_INPUT, "the query string is not valid percent-encoded UTF-8",
                new HttpHeaders(), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception ex, HttpServletRequest request) {
        if (NodeFailure.isSchemaMissing(ex)) {
            // A table or column is not there: the schema is not in place on this database (re-created
            // under the service); it is being brought up to date. Not the client's fault, nor a bug.
            return handleDatabaseDown(ex, request);
        }
        if (NodeFailure.isReadOnlyServer(ex)) {
            // The write reached a standby under the primary's name: refused there, nothing stored;
            // the monitor is finding the primary again.
            return handleDatabaseDown(ex, request);
        }
        log.error("unexpected failure", ex);
        return answer(ApiError.INTERNAL, "internal error", new HttpHeaders(), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return answer(ApiError.MALFORMED_BODY, describeUnreadable(ex), headers, servlet(request));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String message = ex.getBindingResult().getFieldErrors().stream()
                .map(ApiExceptionHandler::describe)
                .sorted()
                .collect(Collectors.joining("; "));
        return answer(ApiError.INVALID_INPUT, message, headers, servlet(request));
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String message = ex.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> parameterName(result) + ": " + error.getDefaultMessage()))
                .sorted()
                .collect(Collectors.joining("; "));
        return answer(ApiError.INVALID_INPUT, message, headers, servlet(request));
    }

    /** Everything else Spring MVC raises itself (404, 405, 415, missing parameter...): keep its
     *  status and text, add the spec's fields. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        String message = body instanceof ProblemDetail pd && pd.getDetail() != null ? pd.getDetail() : ex.getMessage();
        return answer(ApiError.forStatus(statusCode.value()), message, headers, servlet(request));
    }

    private ResponseEntity<Object> answer(ApiError error, String message, HttpHeaders headers,
            HttpServletRequest request) {
        String requestId = request != null ? RequestIdFilter.currentId(request) : null;
        ProblemDetail body = ProblemDetail.forStatusAndDetail(error.status(), message);
        body.setProperty("message", message);
        body.setProperty("request_id", requestId);
        body.setProperty("code", error.code());
        if (error.status().is4xxClientError()) {
            log.info("{} {} -> {} {}: {}", request != null ? request.getMethod() : "?",
                    request != null ? request.getRequestURI() : "?", error.status().value(), error.code(), message);
        }
        return ResponseEntity.status(error.status()).headers(headers).body(body);
    }

    private static HttpServletRequest servlet(WebRequest request) {
        return request instanceof ServletWebRequest swr ? swr.getRequest() : null;
    }

    private static String describe(FieldError error) {
        return JsonNames.of(error.getField()) + ": " + error.getDefaultMessage();
    }

    private static String parameterName(org.springframework.validation.method.ParameterValidationResult result) {
        org.springframework.web.bind.annotation.RequestParam rp =
                result.getMethodParameter().getParameterAnnotation(org.springframework.web.bind.annotation.RequestParam.class);
        if (rp != null && !rp.name().isEmpty()) {
            return rp.name();
        }
        String name = result.getMethodParameter().getParameterName();
        return name != null ? name : "parameter";
    }

    /** Says which field of the JSON body is wrong, without echoing the body back. */
    private static String describeUnreadable(HttpMessageNotReadableException ex) {
        for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException) {
                return "the request body exceeds a JSON limit (nesting depth, number or string length)";
            }
            if (t instanceof StreamReadException sre && sre.getOriginalMessage() != null
                    && sre.getOriginalMessage().startsWith("Duplicate Object property")) {
                return "the request body has the same key twice in one object";
            }
            if (t instanceof JacksonException je) {
                String path = je.getPath().stream()
                        .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                        .collect(Collectors.joining("."));
                if (!path.isEmpty()) {
                    return "field '" + path + "' has an invalid value or type" + hint(path);
                }
                return "the request body is not valid JSON";
            }
        }
        return "the request body is missing or not valid JSON";
    }

    /** Every field of the API's bodies is a JSON string; birthdate is one in a fixed form. */
    private static String hint(String path) {
        return path.endsWith("birthdate") ? " (expected a real date as a string YYYY-MM-DD)" : " (expected a string)";
    }

    private static String rootMessage(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
