package ru.otus.socialnet.system;

/** A failure the client should see as is: its {@link ApiError} and a message written for the client. */
public class ApiException extends RuntimeException {

    private final ApiError error;

    public ApiException(ApiError error, String message) {
        super(message);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }

    public static ApiException invalid(String message) {
        return new ApiException(ApiError.INVALID_INPUT, message);
    }
}
