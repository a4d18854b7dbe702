package ru.otus.socialnet.system;

import org.springframework.http.HttpStatus;

/**
 * The {@code code} of every error body: a stable number a client (or an operator grepping logs) can
 * classify by, finer than the HTTP status. The first three digits are the HTTP status.
 */
public enum ApiError {
    INVALID_INPUT(HttpStatus.BAD_REQUEST, 40001),
    MALFORMED_BODY(HttpStatus.BAD_REQUEST, 40002),
    WRONG_CREDENTIALS(HttpStatus.BAD_REQUEST, 40003),
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, 40101),
    NOT_FOUND(HttpStatus.NOT_FOUND, 40400),
    USER_NOT_FOUND(HttpStatus.NOT_FOUND, 40401),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, 40500),
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, 40600),
    /** A request with the same Idempotency-Key is still being processed. */
    REQUEST_IN_PROGRESS(HttpStatus.CONFLICT, 40901),
    CONTENT_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, 41301),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 41500),
    /** The Idempotency-Key was used before with a different request body. */
    IDEMPOTENCY_KEY_REUSED(HttpStatus.UNPROCESSABLE_CONTENT, 42201),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, 50000),
    DATABASE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, 50301),
    /** The COMMIT was sent, its answer never came, and the service could not find out: maybe stored. */
    OUTCOME_UNKNOWN(HttpStatus.GATEWAY_TIMEOUT, 50401);

    private final HttpStatus status;
    private final int code;

    ApiError(HttpStatus status, int code) {
        this.status = status;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public int code() {
        return code;
    }

    /** The catch-all for a status that has no entry of its own. */
    public static ApiError forStatus(int status) {
        for (ApiError e : values()) {
            if (e.status.value() == status) {
                return e;
            }
        }
        return status >= 500 ? INTERNAL : INVALID_INPUT;
    }
}
