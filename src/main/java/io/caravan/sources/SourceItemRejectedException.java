package io.caravan.sources;

/** An item a source emitted that cannot be accepted; it goes to the quarantine with {@link #reason()}. */
public class SourceItemRejectedException extends RuntimeException {

    private final String reason;

    public SourceItemRejectedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A quarantine reason of API.md, e.g. {@code fetch_failed}. */
    public String reason() {
        return reason;
    }
}
