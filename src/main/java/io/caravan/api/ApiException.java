package io.caravan.api;

/**
 * An error the API reports as problem+json with one of the documented codes. Every one is the client's (4xx) and
 * never logged, so it records no stack trace: a refused request (bad input, a rate limit) costs no stack walk.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
