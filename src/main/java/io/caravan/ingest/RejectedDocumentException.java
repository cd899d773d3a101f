package io.caravan.ingest;

/** A document refused at the edge before it is accepted (empty, unsupported type, too large). */
public class RejectedDocumentException extends RuntimeException {

    /** Why the document was refused; the API maps each to its problem code. */
    public enum Reason { EMPTY, UNSUPPORTED_TYPE, TOO_LARGE, INVALID }

    private final Reason reason;

    public RejectedDocumentException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
