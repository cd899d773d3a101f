package io.caravan.llm;

/** A provider that cannot be called for this tenant at all (e.g. it needs an API key and has none): skipped. */
public class ProviderUnavailableException extends RuntimeException {

    public ProviderUnavailableException(String message) {
        super(message);
    }
}
