package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.CaravanApplication;
import io.caravan.embedding.TextEmbedder;
import io.caravan.support.HubClient;
import io.caravan.tenancy.TenantId;
import io.caravan.vector.VectorStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.AdditionalAnswers;
import org.mockito.Mockito;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * The index queue on a real Kafka broker (KRaft, inside the test JVM), configured exactly as the production
 * profile configures it (its {@code caravan.kafka.*} and {@code caravan.queues.*} settings are read from
 * application-production.yaml), with H2 and the embedded vector store. Each test has its own topic, consumer
 * group and data dir; hubs are started and stopped by the tests, so a restart on the same broker is real.
 */
@EmbeddedKafka(kraft = true, partitions = 1)
@ExtendWith(OutputCaptureExtension.class)
class KafkaQueueTest {

    private static final String ADMIN = "kafka-admin-token-0123456789";
    private static final String TENANT_HEADER = "CaravanTenantId";

    @TempDir
    Path dataDir;

    private final List<ConfigurableApplicationContext> hubs = new ArrayList<>();
    private final CountDownLatch embedding = new CountDownLatch(1);
    private String topic;
    private String brokers;

    @BeforeEach
    void names(EmbeddedKafkaBroker broker) {
        topic = "caravan.index." + UUID.randomUUID();
        brokers = broker.getBrokersAsString();
    }

    @AfterEach
    void stopHubs() {
        hubs.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void documentsOfTwoTenantsTravelKeyedByDocumentIdWithTheirTenant(CapturedOutput output) {
        HubClient hub = client(start(null, Map.of()));
        String alpha = tenant(hub, "alpha");
        String beta = tenant(hub, "beta");
        String alphaKey = key(hub, alpha);
        String betaKey = key(hub, beta);
        Map<String, String> tenantOf = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            tenantOf.put(add(hub, alphaKey, "Alpha " + i + ": the orchard grows apples of kind " + i + "."), alpha);
            tenantOf.put(add(hub, betaKey, "Beta " + i + ": the harbour ships crates of type " + i + "."), beta);
        }
        tenantOf.forEach((id, tenant) -> awaitStatus(hub, tenant.equals(alpha) ? alphaKey : betaKey, id, "indexed"));

        // what went over the wire: key = document id = body, the tenant as a string header
        List<ConsumerRecord<String, String>> records = readTopic(tenantOf.size());
        assertThat(records).hasSize(tenantOf.size());
        for (ConsumerRecord<String, String> record : records) {
            assertThat(record.key()).isEqualTo(record.value());
            assertThat(new String(record.headers().lastHeader(TENANT_HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo(tenantOf.get(record.key()));
        }
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(tenantOf.keySet());

        // every record is committed once done
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(uncommitted()).as("records not committed").isZero());

        // the tenant reached the consumer intact (a String), so metrics and logs carry it
        String scrape = hub.get("/actuator/prometheus", null).text();
        for (String tenant : List.of(alpha, beta)) {
            assertThat(scrape).containsPattern("rag_ingest_documents_total\\{[^}]*outcome=\"indexed\"[^}]*tenant_id=\""
                    + tenant + "\"[^}]*} 4\\.0");
        }
        tenantOf.forEach((id, tenant) -> assertThat(output.getOut().lines()
                .filter(line -> line.contains("Indexed document " + id)))
                .singleElement().asString().contains("[tenant_id=" + tenant + "]"));
    }

    @Test
    void anOffsetIsCommittedOnlyOnceItsDocumentIsDoneAndACrashRedeliversItOnce() throws Exception {
        ConfigurableApplicationContext first = start(blockingEmbedder(), Map.of());
        HubClient hub = client(first);
        String tenant = tenant(hub, "crash");
        String key = key(hub, tenant);
        String documentId = add(hub, key, "The ferry leaves at noon and returns before the evening tide.");
        await().atMost(Duration.ofSeconds(60)).until(() -> embedding.getCount() == 0);

        // the document is being embedded: its record is delivered but not committed
        assertThat(uncommitted()).as("records not committed while the document is in progress").isEqualTo(1);
        assertThat(status(hub, key, documentId)).isEqualTo("queued");

        // the hub dies in the middle (its embedding thread is interrupted); nothing was committed
        first.close();
        hubs.remove(first);
        assertThat(uncommitted()).as("records not committed after the crash").isEqualTo(1);

        // a new hub on the same broker and data dir gets the record again and indexes it once
        HubClient second = client(start(null, Map.of()));
        awaitStatus(second, key, documentId, "indexed");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(uncommitted()).isZero());
        assertThat(second.get("/api/v1/quarantine", key).json().get("items")).isEmpty();
        int chunks = second.get("/api/v1/documents/" + documentId, key).json().get("chunks").asInt();
        hubs.forEach(ConfigurableApplicationContext::close);
        hubs.clear();
        assertThat(VectorStores.embeddedAt(dataDir).countChunks(TenantId.of(tenant)))
                .as("indexed exactly once").isEqualTo(chunks).isPositive();
    }

    @Test
    void aQuarantinedDocumentIsCommittedToo() {
        HubClient hub = client(start(failingEmbedder(), Map.of()));
        String key = key(hub, tenant(hub, "quarantined"));
        String documentId = add(hub, key, "The embedding model is down whenever this document arrives.");
        awaitStatus(hub, key, documentId, "quarantined");
        assertThat(hub.get("/api/v1/quarantine", key).json().get("items").get(0).get("reason").asText())
                .isEqualTo("embed_failed");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(uncommitted()).isZero());
    }

    @Test
    void poisonRecordsAreRejectedCountedAndCommittedWithoutBlockingThePartition(CapturedOutput output) {
        HubClient hub = client(start(null, Map.of()));
        String tenant = tenant(hub, "after-poison");
        String key = key(hub, tenant);
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "no-tenant", "doc-without-tenant"));
            ProducerRecord<String, String> garbage = new ProducerRecord<>(topic, "bad-tenant", "\u0000garbage");
            garbage.headers().add(TENANT_HEADER, "../not a tenant".getBytes(StandardCharsets.UTF_8));
            producer.send(garbage);
            ProducerRecord<String, String> unknown = new ProducerRecord<>(topic, "unknown", "no-such-document");
            unknown.headers().add(TENANT_HEADER, tenant.getBytes(StandardCharsets.UTF_8));
            producer.send(unknown);
        }
        // the same partition goes on with real work
        String documentId = add(hub, key, "Poison before me did not stop the queue from moving on.");
        awaitStatus(hub, key, documentId, "indexed");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(uncommitted()).isZero());
        String scrape = hub.get("/actuator/prometheus", null).text();
        assertThat(scrape).containsPattern("rag_tenant_missing_total\\{[^}]*surface=\"route\"[^}]*} [2-9]");
        assertThat(scrape).doesNotContain("tenant_id=\"\"");
        assertThat(output.getOut()).contains("no-such-document is no longer queued");
    }

    @Test
    void aHubWhoseBrokersDoNotAnswerRefusesToStartNamingTheSetting() {
        brokers = "127.0.0.1:1";
        assertThatThrownBy(() -> start(null, Map.of("caravan.kafka.startup-timeout", "2s")))
                .hasStackTraceContaining("Kafka brokers 127.0.0.1:1 (CARAVAN_KAFKA_BROKERS) did not answer");
    }

    @Test
    void aHubWithoutBrokersRefusesToStartNamingTheSetting() {
        brokers = "";
        assertThatThrownBy(() -> start(null, Map.of()))
                .hasStackTraceContaining("CARAVAN_KAFKA_BROKERS is required");
    }

    // ---- the hub ----

    /** Starts a hub with the production profile's Kafka settings, pointed at the embedded broker. */
    private ConfigurableApplicationContext start(BeanPostProcessor hook, Map<String, String> extra) {
        List<String> args = new ArrayList<>(List.of("--caravan.data-dir=" + dataDir, "--server.port=0",
                "--caravan.admin-token=" + ADMIN, "--caravan.ingest.redelivery-delay-ms=10",
                // a stopped hub gives up on its in-flight document quickly (the test kills it mid-way)
                "--camel.main.shutdown-timeout=2", "--camel.component.kafka.shutdown-timeout=1000"));
        Map<String, String> kafka = productionKafkaSettings();
        kafka.put("caravan.kafka.brokers", brokers);
        kafka.put("caravan.kafka.index-topic", topic);
        kafka.put("caravan.kafka.group-id", topic + ".indexer");
        kafka.put("caravan.kafka.partitions", "3");
        kafka.put("caravan.kafka.consumers", "2");
        kafka.putAll(extra);
        kafka.forEach((name, value) -> args.add("--" + name + "=" + value));
        SpringApplicationBuilder builder = new SpringApplicationBuilder(CaravanApplication.class);
        if (hook != null) {
            builder.initializers(context -> context.getBeanFactory().addBeanPostProcessor(hook));
        }
        ConfigurableApplicationContext context = builder.run(args.toArray(String[]::new));
        hubs.add(context);
        return context;
    }

    /** The caravan.kafka.* and caravan.queues.* entries of application-production.yaml, unresolved. */
    private static Map<String, String> productionKafkaSettings() {
        try {
            Map<String, String> settings = new HashMap<>();
            new YamlPropertySourceLoader().load("production", new ClassPathResource("application-production.yaml"))
                    .forEach(source -> {
                        EnumerablePropertySource<?> entries = (EnumerablePropertySource<?>) source;
                        for (String name : entries.getPropertyNames()) {
                            if (name.startsWith("caravan.kafka.") || name.startsWith("caravan.queues.")) {
                                settings.put(name, String.valueOf(entries.getProperty(name)));
                            }
                        }
                    });
            assertThat(settings.get("caravan.queues.index")).startsWith("kafka:");
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Wraps the embedder so its first call signals and then blocks until the hub is stopped. */
    private BeanPostProcessor blockingEmbedder() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) throws BeansException {
                if (!(bean instanceof TextEmbedder real)) {
                    return bean;
                }
                TextEmbedder blocking = Mockito.mock(TextEmbedder.class, AdditionalAnswers.delegatesTo(real));
                org.mockito.stubbing.Answer<Object> block = call -> {
                    embedding.countDown();
                    new CountDownLatch(1).await(); // until the stopping hub interrupts this thread
                    throw new IllegalStateException("unreachable");
                };
                // the pipeline embeds the chunker's token ids; embedAll is what other callers use
                Mockito.doAnswer(block).when(blocking).embedAllTokenized(Mockito.anyList(), Mockito.anyList());
                Mockito.doAnswer(block).when(blocking).embedAll(Mockito.anyList());
                return blocking;
            }
        };
    }

    /** Wraps the embedder so that every call fails (a transient failure that never heals). */
    private static BeanPostProcessor failingEmbedder() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) throws BeansException {
                if (!(bean instanceof TextEmbedder real)) {
                    return bean;
                }
                TextEmbedder failing = Mockito.mock(TextEmbedder.class, AdditionalAnswers.delegatesTo(real));
                Mockito.doThrow(new IllegalStateException("model unavailable")).when(failing)
                        .embedAllTokenized(Mockito.anyList(), Mockito.anyList());
                Mockito.doThrow(new IllegalStateException("model unavailable")).when(failing).embedAll(Mockito.anyList());
                return failing;
            }
        };
    }

    // ---- Kafka, seen from outside the hub ----

    /** Records on the topic not yet committed by the hub's consumer group. */
    private long uncommitted() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get();
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(topic + ".indexer").partitionsToOffsetAndMetadata().get();
            long behind = 0;
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata done = committed.get(partition);
                behind += ends.get(partition).offset() - (done == null ? 0 : done.offset());
            }
            return behind;
        }
    }

    private List<ConsumerRecord<String, String>> readTopic(int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "raw-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers),
                new StringSerializer(), new StringSerializer());
    }

    // ---- the hub's API ----

    private static HubClient client(ConfigurableApplicationContext context) {
        return new HubClient("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }

    private static String tenant(HubClient hub, String prefix) {
        String id = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(hub.postJson("/admin/v1/tenants", ADMIN, "{\"id\":\"" + id + "\"}").status()).isEqualTo(201);
        return id;
    }

    private static String key(HubClient hub, String tenant) {
        return hub.postJson("/admin/v1/tenants/" + tenant + "/keys", ADMIN, "{\"name\":\"k\"}").field("apiKey");
    }

    private static String add(HubClient hub, String key, String text) {
        HubClient.Response added = hub.postJson("/api/v1/documents", key,
                "{\"title\":\"Doc\",\"text\":\"" + text + "\"}");
        assertThat(added.status()).as(added.text()).isEqualTo(202);
        return added.field("documentId");
    }

    private static String status(HubClient hub, String key, String documentId) {
        return hub.get("/api/v1/documents/" + documentId, key).field("status");
    }

    private static void awaitStatus(HubClient hub, String key, String documentId, String expected) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(status(hub, key, documentId)).isEqualTo(expected));
    }
}
