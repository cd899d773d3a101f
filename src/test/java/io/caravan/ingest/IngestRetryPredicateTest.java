package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantNotFoundException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which failures of the index route are redelivered and which go to the quarantine at once. */
class IngestRetryPredicateTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private final IngestRetryPredicate predicate = new IngestRetryPredicate(new IngestSettings(1000, 10, 3, 10));

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    @Test
    void aTransientFailureIsRetriedUntilTheAttemptsAreUsedUp() {
        assertThat(predicate.matches(failed(new IllegalStateException("store down"), 1))).isTrue();
        assertThat(predicate.matches(failed(new IllegalStateException("store down"), 2))).isTrue();
        Exchange last = failed(new IllegalStateException("store down"), 3);
        assertThat(predicate.matches(last)).isFalse();
        assertThat(last.getProperty(QuarantineHandler.ATTEMPTS)).isEqualTo(3);
    }

    @Test
    void permanentFailuresAreNotRetried() {
        assertThat(predicate.matches(failed(new IngestFailure("parse", "parse_error", true, "corrupt"), 1))).isFalse();
        assertThat(predicate.matches(failed(new MissingTenantException("a queued message"), 1))).isFalse();
        // the tenant was erased while its document was being indexed: it will not come back
        assertThat(predicate.matches(failed(new TenantNotFoundException("gone", new IllegalStateException()), 1)))
                .isFalse();
        assertThat(predicate.matches(failed(new IngestFailure("embed", "embed_failed", false, "timeout"), 1)))
                .isTrue();
    }

    private Exchange failed(Exception failure, int deliveries) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, deliveries);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, failure);
        return exchange;
    }
}
