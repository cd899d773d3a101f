package io.caravan.vector;

/** Chroma could not be reached or refused a call: the operation failed, nothing was silently skipped. */
public class ChromaUnavailableException extends RuntimeException {

    public ChromaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
