package io.caravan.api;

import org.springframework.http.HttpStatus;

/** The problem+json codes of API.md, each with its HTTP status and title. */
public enum ErrorCode {
    UNAUTHENTICATED("unauthenticated", HttpStatus.UNAUTHORIZED, "Unauthenticated"),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Forbidden"),
    TENANT_REQUIRED("tenant_required", HttpStatus.UNAUTHORIZED, "Tenant required"),
    TENANT_NOT_FOUND("tenant_not_found", HttpStatus.NOT_FOUND, "Tenant not found"),
    INVALID_REQUEST("invalid_request", HttpStatus.BAD_REQUEST, "Invalid request"),
    NOT_FOUND("not_found", HttpStatus.NOT_FOUND, "Not found"),
    CONFLICT("conflict", HttpStatus.CONFLICT, "Conflict"),
    PAYLOAD_TOO_LARGE("payload_too_large", HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    RATE_LIMITED("rate_limited", HttpStatus.TOO_MANY_REQUESTS, "Rate limited"),
    BUDGET_EXHAUSTED("budget_exhausted", HttpStatus.TOO_MANY_REQUESTS, "Budget exhausted"),
    UPSTREAM_UNAVAILABLE("upstream_unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Upstream unavailable"),
    INTERNAL("internal_error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    private final String code;
    private final HttpStatus status;
    private final String title;

    ErrorCode(String code, HttpStatus status, String title) {
        this.code = code;
        this.status = status;
        this.title = title;
    }

    public String code() {
        return code;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }
}
