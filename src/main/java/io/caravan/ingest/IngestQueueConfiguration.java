package io.caravan.ingest;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The embedded index queue: a seda endpoint backed by the tenant-fair queue. */
@Configuration(proxyBeanMethods = false)
class IngestQueueConfiguration {

    @Bean
    FairIngestQueue fairIngestQueue(@Value("${caravan.ingest.queue-capacity:100000}") int capacity) {
        return new FairIngestQueue(capacity);
    }
}
