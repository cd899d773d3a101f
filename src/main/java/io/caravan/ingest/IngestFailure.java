package io.caravan.ingest;

/**
 * A document that failed in a pipeline stage, with the quarantine reason of API.md. Permanent failures go
 * to the quarantine at once; others are redelivered first.
 */
public class IngestFailure extends RuntimeException {

    private final String stage;
    private final String reason;
    private final boolean permanent;

    public IngestFailure(String stage, String reason, boolean permanent, String message) {
        super(message);
        this.stage = stage;
        this.reason = reason;
        this.permanent = permanent;
    }

    public String stage() {
        return stage;
    }

    public String reason() {
        return reason;
    }

    public boolean permanent() {
        return permanent;
    }
}
