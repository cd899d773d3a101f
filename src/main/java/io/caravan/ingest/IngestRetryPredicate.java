package io.caravan.ingest;

import io.caravan.tenancy.InvalidTenantIdException;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantNotFoundException;
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

    /**
     * Called after each failed delivery, when Camel's redelivery counter already counts it. The count is
     * copied into an exchange property because the dead-letter channel restores the original message
     * (and with it the headers) before the quarantine sees it.
     */
    @Override
    public boolean matches(Exchange exchange) {
        Integer counter = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        int failures = counter == null ? 1 : counter;
        exchange.setProperty(QuarantineHandler.ATTEMPTS, failures);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        if (failure instanceof IngestFailure ingest && ingest.permanent()) {
            return false;
        }
        // a message without a valid tenant (poison on a queue), or of a tenant erased meanwhile, stays so however
        // often it is retried
        if (failure instanceof MissingTenantException || failure instanceof InvalidTenantIdException
                || failure instanceof TenantNotFoundException) {
            return false;
        }
        return failures < settings.maxAttempts();
    }
}
