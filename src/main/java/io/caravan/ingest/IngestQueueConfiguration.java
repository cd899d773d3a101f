package io.caravan.ingest;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The embedded index queue: a seda endpoint backed by the tenant-fair queue. The fair queue, like the
 * per-tenant throttle, lives in one JVM: it is per replica. The production profile's Kafka topic does not use
 * it; there, records are keyed by document id and spread over the partitions, and each partition is consumed
 * in order, so fairness between tenants is only statistical (see README, "Kafka queues").
 */
@Configuration(proxyBeanMethods = false)
class IngestQueueConfiguration {

    @Bean
    FairIngestQueue fairIngestQueue(@Value("${caravan.ingest.queue-capacity:100000}") int capacity) {
        return new FairIngestQueue(capacity);
    }
}
