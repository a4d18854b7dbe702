package ru.otus.socialnet.system;


import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure the client should see as is: its {@link ApiError}, a message written for the client,
 * and any further fields of the error body.
 */
public class ApiException extends RuntimeException {

    private final ApiError error;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public ApiException(ApiError error, String message) {
        super(message);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }

    /** Adds a field to the error body (snake_case, like the spec's). */
    public ApiException with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public Map<String, Object> properties() {
        return Map.copyOf(properties);
    }

    public static ApiException invalid(String message) {
        return new ApiException(ApiError.INVALID_INPUT, message);
    }
}
