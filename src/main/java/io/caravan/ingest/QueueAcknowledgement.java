package io.caravan.ingest;

import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Route policy of the queue consumers: acknowledges a queued message only when its route is done with it —
 * indexed, skipped (no longer queued), quarantined by the dead-letter channel, or rejected as poison (no
 * valid tenant) — so a crash before that point re-delivers it. On Kafka (autoCommitEnable=false,
 * allowManualCommit=true) that is a synchronous offset commit; a seda message carries no commit handle, and
 * nothing happens.
 */
@Component("queueAcknowledgement")
class QueueAcknowledgement extends RoutePolicySupport {

    private static final Logger LOG = LoggerFactory.getLogger(QueueAcknowledgement.class);

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        KafkaManualCommit commit = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit == null) {
            return;
        }
        if (exchange.isFailed()) {
            // neither done nor quarantined (the quarantine itself failed): leave it for a redelivery
            LOG.warn("Not acknowledging {}: its processing failed without reaching the quarantine", commit);
            return;
        }
        commit.commit();
    }
}
