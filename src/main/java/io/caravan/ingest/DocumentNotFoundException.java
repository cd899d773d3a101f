package io.caravan.ingest;

/** No such document for this tenant (whether or not another tenant has one with that id). */
public class DocumentNotFoundException extends RuntimeException {

    public DocumentNotFoundException(String documentId) {
        super("document '" + documentId + "' not found");
    }
}
