package io.caravan.ingest;

/** A document offered to the hub, before it is accepted. */
public record NewDocument(String title, byte[] content, String contentType, String sourceType, String sourceUri,
                          String fileName) {
}
