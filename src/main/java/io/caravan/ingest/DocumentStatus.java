package io.caravan.ingest;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Lifecycle of a document: queued until indexed or quarantined; deleted on request. */
public enum DocumentStatus {
    QUEUED, INDEXED, QUARANTINED, DELETED,
    /** The tenant already has this content: an intake answer, and the state of a document found to repeat another's text (extension of API.md). */
    DUPLICATE;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DocumentStatus fromWire(String value) {
        for (DocumentStatus status : values()) {
            if (status.wire().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown document status '" + value + "'");
    }
}
