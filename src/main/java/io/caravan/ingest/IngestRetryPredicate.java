package io.caravan.ingest;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.springframework.stereotype.Component;

/**
 * Redelivery rule of the index route: transient failures (the embedder or the store throwing) are retried
 * with back-off until {@code caravan.ingest.max-attempts}; permanent ones go to the quarantine at once.
 */
@Component("ingestRetryPredicate")
class IngestRetryPredicate implements Predicate {

    private final IngestSettings settings;

    IngestRetryPredicate(IngestSettings settings) {
        this.settings = settings;
    }

    @Override
    public boolean matches(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        if (failure instanceof IngestFailure ingest && ingest.permanent()) {
            return false;
        }
        return QuarantineHandler.attempts(exchange) < settings.maxAttempts();
    }
}
