package io.caravan.support;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.context.ActiveProfilesResolver;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * The mode the hub tests run in, chosen by the system property {@code caravan.test.mode}: {@code embedded}
 * (default: H2, the embedded vector store and seda queues in a temporary data dir) or {@code production}: the
 * real {@code production} Spring profile, so application-production.yaml applies as it does in a deployment,
 * with its required settings pointing at this JVM's services:
 * <ul>
 *   <li>PostgreSQL: one fresh database per test JVM on the server on loopback ({@link Postgres}), dropped at exit;</li>
 *   <li>Chroma: the server of {@link ChromaTestServer}, one Chroma tenant per test JVM;</li>
 *   <li>Kafka: one KRaft broker inside the test JVM ({@code EmbeddedKafkaKraftBroker}), started on first use and
 *       stopped at exit; each hub gets an index topic and consumer group of its own;</li>
 *   <li>a fixed admin token and secrets key (the profile refuses to generate them).</li>
 * </ul>
 * The contract suite ({@code @Tag("contract")}) runs unchanged in both modes.
 */
public final class TestMode {

    public static final String PRODUCTION = "production";
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    /** A fixed AES-256 test key (32 bytes), base64. */
    public static final String SECRETS_KEY = Base64.getEncoder()
            .encodeToString("caravan-contract-test-secrets-ky".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    /** This JVM's Chroma tenant: databases of test tenants of other JVMs (and earlier runs) never mix with ours. */
    private static final String CHROMA_TENANT = "caravan-test-" + UUID.randomUUID().toString().substring(0, 8);

    private TestMode() {
    }

    /** {@code -Dcaravan.test.mode=production}. */
    public static boolean production() {
        return PRODUCTION.equals(System.getProperty("caravan.test.mode"));
    }

    /**
     * The production profile's settings for a hub started by a test: database, Chroma, Kafka brokers, admin token
     * and secrets key (not the index topic: see {@link #queueSettings()}).
     */
    public static Map<String, String> productionSettings() {
        Map<String, String> settings = new LinkedHashMap<>(Shared.postgres().settings());
        settings.put("caravan.admin-token", ADMIN_TOKEN);
        settings.put("caravan.secrets-key", SECRETS_KEY);
        settings.put("caravan.chroma.url", ChromaTestServer.url());
        settings.put("caravan.chroma.tenant", CHROMA_TENANT);
        settings.put("caravan.kafka.brokers", Shared.kafkaBrokers());
        // fewer partitions and consumers than a deployment: a test hub shares two cores with everything else
        settings.put("caravan.kafka.partitions", "3");
        settings.put("caravan.kafka.consumers", "2");
        // a test hub that stops gives up waiting for its Kafka consumers quickly
        settings.put("camel.component.kafka.shutdown-timeout", "2000");
        return settings;
    }

    /** A fresh index topic and consumer group: a hub started with them shares its queue with no other hub. */
    public static Map<String, String> queueSettings() {
        String topic = "caravan.index.test-" + UUID.randomUUID();
        return Map.of("caravan.kafka.index-topic", topic, "caravan.kafka.group-id", topic + ".indexer");
    }

    /**
     * Command-line arguments that start a hub in this mode (for tests that run {@code SpringApplication} themselves):
     * none in the embedded mode; in the production mode the profile, {@link #productionSettings()} and the given
     * queue settings (pass the same ones again to restart a hub on the same queue).
     */
    public static List<String> hubArguments(Map<String, String> queue) {
        List<String> args = new ArrayList<>();
        if (production()) {
            args.add("--spring.profiles.active=" + PRODUCTION);
            productionSettings().forEach((name, value) -> args.add("--" + name + "=" + value));
            queue.forEach((name, value) -> args.add("--" + name + "=" + value));
        }
        return args;
    }

    /** This JVM's test database on PostgreSQL (created on first use, dropped when the JVM exits). */
    public static Postgres postgres() {
        return Shared.postgres();
    }

    /** The production profile in the production mode, no profile otherwise (for {@code @ActiveProfiles}). */
    public static final class Profiles implements ActiveProfilesResolver {
        @Override
        public String[] resolve(Class<?> testClass) {
            return production() ? new String[] {PRODUCTION} : new String[0];
        }
    }

    /**
     * The test property that makes a test application context take the production settings from
     * {@link Settings}: {@code production} in the production mode. {@link HubTest} declares it.
     */
    public static final String BACKENDS = "caravan.test.backends=${caravan.test.mode:embedded}";

    /**
     * Supplies {@link #productionSettings()} and a fresh index queue ({@link #queueSettings()}) to every test
     * application context whose {@code caravan.test.backends} is {@code production}. An environment post-processor
     * (META-INF/spring.factories of the tests), because the production profile checks its required settings in one
     * too ({@code ProductionSettingsCheck}, which runs after this one): {@code @DynamicPropertySource} values arrive
     * only after that check. Each context gets its own topic and consumer group, so contexts kept alive by Spring's
     * context cache (e.g. one with a spied bean) never consume each other's queue.
     */
    public static final class Settings implements EnvironmentPostProcessor, Ordered {

        @Override
        public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
            if (!PRODUCTION.equals(environment.getProperty("caravan.test.backends"))) {
                return;
            }
            Map<String, Object> settings = new LinkedHashMap<>(productionSettings());
            settings.putAll(queueSettings());
            MapPropertySource source = new MapPropertySource("caravan-test-backends", settings);
            MutablePropertySources sources = environment.getPropertySources();
            // below the test's own inlined properties, above everything else (application-production.yaml included)
            if (sources.contains(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME)) {
                sources.addAfter(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME, source);
            } else {
                sources.addFirst(source);
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE - 1; // before ProductionSettingsCheck (unordered: lowest precedence)
        }
    }

    /** The services shared by every test of the JVM, started on first use and stopped when the JVM exits. */
    private static final class Shared {

        private static Postgres postgres;
        private static EmbeddedKafkaKraftBroker kafka;

        static synchronized Postgres postgres() {
            if (postgres == null) {
                Postgres database = Postgres.create();
                Runtime.getRuntime().addShutdownHook(new Thread(database::close, "drop-test-database"));
                postgres = database;
            }
            return postgres;
        }

        static synchronized String kafkaBrokers() {
            if (kafka == null) {
                EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3);
                // one partition for consumer offsets instead of 50, and no wait before a group's first
                // assignment: each test hub's consumer group starts in a fraction of the time
                broker.brokerProperty("offsets.topic.num.partitions", "1");
                broker.brokerProperty("group.initial.rebalance.delay.ms", "0");
                broker.afterPropertiesSet();
                Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy, "stop-test-kafka"));
                kafka = broker;
            }
            return kafka.getBrokersAsString();
        }
    }
}
