package io.caravan.sources;

/** Header names of the item contract between source Kamelets and {@code direct:ingest-source-item} (see {@link SourceBinding}). */
public final class SourceItemHeaders {

    public static final String TITLE = "CaravanItemTitle";
    public static final String URI = "CaravanItemUri";
    public static final String CONTENT_TYPE = "CaravanItemType";
    public static final String SOURCE_TYPE = "CaravanSourceType";
    public static final String SOURCE_ID = "CaravanSourceId";
    /** Set when the source could not fetch the item: the error text (never a secret). */
    public static final String ERROR = "CaravanItemError";
    /** Quarantine reason of a failed item; {@code fetch_failed} when absent. */
    public static final String ERROR_REASON = "CaravanItemErrorReason";

    private SourceItemHeaders() {
    }
}
