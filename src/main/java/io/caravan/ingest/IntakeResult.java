package io.caravan.ingest;

/** The answer to an offered document: queued for indexing, or a duplicate of an existing one. */
public record IntakeResult(String documentId, DocumentStatus status) {

    public boolean queued() {
        return status == DocumentStatus.QUEUED;
    }
}
