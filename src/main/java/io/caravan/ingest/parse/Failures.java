package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.mime.MediaType;

/** The parse stage's failures, with the quarantine reasons of API.md and messages a user can act on. */
final class Failures {

    static final String STAGE = "parse";
    static final String SUPPORTED = "PDF, DOCX, HTML, Markdown and plain text";

    private Failures() {
    }

    static IngestFailure unsupported(MediaType type) {
        return new IngestFailure(STAGE, "unsupported_type", true,
                "documents of type " + type + " are not supported; supported are " + SUPPORTED);
    }

    static IngestFailure empty(MediaType type) {
        return new IngestFailure(STAGE, "empty_content", true, "the " + type + " document contains no text");
    }

    static IngestFailure tooManyChars(int maxChars) {
        return new IngestFailure(STAGE, "too_large", true,
                "the document's text is longer than the limit of " + maxChars + " characters");
    }

    static IngestFailure encrypted(MediaType type) {
        return new IngestFailure(STAGE, "parse_error", true,
                "the " + type + " document is encrypted (password-protected); upload it without a password");
    }

    /** Maps what a Tika parser threw; in-process and in the child alike. */
    static IngestFailure of(Throwable failure, MediaType type, int maxChars) {
        if (failure instanceof IngestFailure ingest) {
            return ingest;
        }
        if (WriteLimitReachedException.isWriteLimitReached(failure)) {
            return tooManyChars(maxChars);
        }
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EncryptedDocumentException || t instanceof org.apache.poi.EncryptedDocumentException) {
                return encrypted(type);
            }
            String message = String.valueOf(t.getMessage());
            // POI's own guards against expanding archives (inflation ratio, entry and record size caps); a
            // bomb they miss exhausts the worker's heap instead, which also ends as too_large
            if (message.contains("Zip bomb detected") || message.startsWith("Tried to allocate an array of length")
                    || message.startsWith("ZIP entry size is too large")) {
                return new IngestFailure(STAGE, "too_large", true, "the " + type
                        + " document expands beyond the parser's safety limits (a decompression bomb?)");
            }
            root = t;
        }
        return new IngestFailure(STAGE, "parse_error", true,
                "the " + type + " document is corrupt or cannot be parsed: " + describe(root));
    }

    private static String describe(Throwable t) {
        String message = t.getMessage() == null ? "" : ": " + t.getMessage().strip();
        String text = t.getClass().getSimpleName() + message;
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
