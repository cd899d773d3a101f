package io.caravan.usage;

import io.caravan.tenancy.TenantId;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * One chat or embedding call as the usage ledger records it: who, when, which provider and model, and the
 * tokens the provider reported. {@code requestId} ties it to the query or document (may be null).
 */
public record UsageEvent(TenantId tenant, Instant at, Kind kind, String provider, String model, long promptTokens,
                         long completionTokens, long embeddingTokens, String requestId) {

    static final int MAX_PROVIDER = 100;
    static final int MAX_MODEL = 200;
    static final int MAX_REQUEST_ID = 200;

    /** The kinds of call, as written to the ledger and the API ({@code chat}, {@code embedding}). */
    public enum Kind {
        CHAT("chat"), EMBEDDING("embedding");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public UsageEvent {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        requireText(provider, "provider", MAX_PROVIDER);
        requireText(model, "model", MAX_MODEL);
        if (promptTokens < 0 || completionTokens < 0 || embeddingTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        if (requestId != null && requestId.length() > MAX_REQUEST_ID) {
            throw new IllegalArgumentException("requestId is longer than " + MAX_REQUEST_ID + " characters");
        }
    }

    /** A chat completion with the provider's reported prompt and completion tokens. */
    public static UsageEvent chat(TenantId tenant, Instant at, String provider, String model, long promptTokens,
                                  long completionTokens, String requestId) {
        return new UsageEvent(tenant, at, Kind.CHAT, provider, model, promptTokens, completionTokens, 0, requestId);
    }

    /** An embedding call over {@code tokens} input tokens. */
    public static UsageEvent embedding(TenantId tenant, Instant at, String provider, String model, long tokens,
                                       String requestId) {
        return new UsageEvent(tenant, at, Kind.EMBEDDING, provider, model, 0, 0, tokens, requestId);
    }

    /** The UTC day the event counts for in the daily rollup. */
    public LocalDate day() {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    public long totalTokens() {
        return promptTokens + completionTokens + embeddingTokens;
    }

    private static void requireText(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters");
        }
    }
}
