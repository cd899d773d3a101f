package io.caravan.api;

/** 429 {@code rate_limited}, with the seconds until the client may try again. */
class RateLimitedException extends ApiException {

    private final long retryAfterSeconds;

    RateLimitedException(long retryAfterSeconds, String detail) {
        super(ErrorCode.RATE_LIMITED, detail);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
