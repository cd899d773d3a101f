package io.caravan.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Present wherever {@code caravan.kafka.brokers} is configured (the production profile). Before Camel starts
 * its consumers it checks that the brokers answer — a hub whose queue is unreachable refuses to start with a
 * message naming the setting, instead of accepting documents it cannot queue — and creates the index topic
 * with its partition count when it is missing (the broker's auto-created topics have a single partition).
 */
@Component
@ConditionalOnProperty("caravan.kafka.brokers")
class KafkaQueueTopics implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaQueueTopics.class);

    private final String brokers;
    private final String topic;
    private final int partitions;
    private final short replicationFactor;
    private final Duration timeout;

    KafkaQueueTopics(@Value("${caravan.kafka.brokers}") String brokers,
                     @Value("${caravan.kafka.index-topic}") String topic,
                     @Value("${caravan.kafka.partitions}") int partitions,
                     @Value("${caravan.kafka.replication-factor}") short replicationFactor,
                     @Value("${caravan.kafka.startup-timeout:15s}") Duration timeout) {
        this.brokers = brokers;
        this.topic = topic;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.timeout = timeout;
    }

    @Override
    public void afterPropertiesSet() {
        if (brokers.isBlank()) {
            throw new IllegalStateException("CARAVAN_KAFKA_BROKERS is required in this profile (caravan.kafka.brokers)");
        }
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            createIfMissing(admin);
        } catch (TimeoutException | ExecutionException | org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException("Kafka brokers " + brokers + " (CARAVAN_KAFKA_BROKERS) did not answer within "
                    + timeout.toSeconds() + "s: " + rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Kafka brokers " + brokers, e);
        }
    }

    private void createIfMissing(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Created Kafka topic {} with {} partitions", topic, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            int existing = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size();
            if (existing < partitions) {
                // partitions bound the parallelism of all replicas together: fewer leave consumers idle
                LOG.warn("Kafka topic {} has {} partitions, fewer than the {} configured", topic, existing, partitions);
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
