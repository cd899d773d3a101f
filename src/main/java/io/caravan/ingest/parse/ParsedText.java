package io.caravan.ingest.parse;

/**
 * Text extracted from an uploaded document.
 *
 * @param text      the extracted text, not yet normalised (the pipeline normalises it); never blank
 * @param mediaType the media type detected from the document's bytes, e.g. {@code application/pdf}
 */
public record ParsedText(String text, String mediaType) {
}
