package io.caravan.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the whole hub: a real Spring Boot application with its Camel context, H2 file
 * database and vector store in a temporary data dir, the real embedding model, and real HTTP on a random
 * port. All subclasses share one application context; each test uses fresh tenants. With
 * {@code -Dcaravan.test.mode=production} the hub runs the real {@code production} profile on PostgreSQL, Chroma
 * and Kafka (see {@link TestMode}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = TestMode.BACKENDS)
@AutoConfigureObservability(tracing = false)
@ActiveProfiles(resolver = TestMode.Profiles.class)
public abstract class HubTest {

    public static final String ADMIN_TOKEN = TestMode.ADMIN_TOKEN;
    private static final Path DATA_DIR = tempDir();

    @LocalServerPort
    protected int port;

    @Autowired
    private JdbcClient hubJdbc;
    @Value("${spring.datasource.url}")
    private String datasourceUrl;

    protected HubClient hub;

    @DynamicPropertySource
    static void hubProperties(DynamicPropertyRegistry registry) {
        registry.add("caravan.data-dir", DATA_DIR::toString);
        registry.add("caravan.admin-token", () -> ADMIN_TOKEN);
        registry.add("caravan.ingest.redelivery-delay-ms", () -> "10");
        registry.add("caravan.sources.web.crawl-delay", () -> "0ms"); // the test sites need no politeness
        // production mode: the production profile's settings come from TestMode.Settings (PostgreSQL, Chroma,
        // Kafka, admin token, secrets key)
    }

    /** {@code -Dcaravan.test.mode=production}: every hub test runs against the production backends. */
    public static boolean productionMode() {
        return TestMode.production();
    }

    /** The hub's relational state in this JVM's test database on PostgreSQL. */
    protected static void usePostgres(DynamicPropertyRegistry registry) {
        TestMode.postgres().register(registry);
    }

    /** One database per test JVM, created on first use and dropped when the JVM exits. */
    protected static Postgres postgres() {
        return TestMode.postgres();
    }

    @BeforeEach
    void client() {
        hub = new HubClient("http://127.0.0.1:" + port);
    }

    /**
     * The stored rows as they are, for assertions about what the database holds: the hub's own connection on H2,
     * the superuser on PostgreSQL (the hub's role sees no tenant-owned row outside a tenant-scoped transaction).
     */
    protected JdbcClient storedRows() {
        return datasourceUrl.startsWith("jdbc:postgresql:") ? postgres().superuser() : hubJdbc;
    }

    /** Creates a tenant with a random suffix so tests sharing the context never collide. */
    protected String newTenant(String prefix) {
        String id = prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
        HubClient.Response created = hub.postJson("/admin/v1/tenants", ADMIN_TOKEN,
                "{\"id\":\"" + id + "\",\"displayName\":\"" + prefix + "\"}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return id;
    }

    /** Replaces the tenant's configuration through the admin API. */
    protected void configure(String tenant, String json) {
        HubClient.Response response = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN, json);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    protected String newKey(String tenant) {
        HubClient.Response key = hub.postJson("/admin/v1/tenants/" + tenant + "/keys", ADMIN_TOKEN, "{\"name\":\"test\"}");
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return key.field("apiKey");
    }

    /** Adds a JSON document and returns its id. */
    protected String addText(String key, String title, String text) {
        HubClient.Response added = hub.postJson("/api/v1/documents", key,
                "{\"title\":" + quote(title) + ",\"text\":" + quote(text) + "}");
        assertThat(added.status()).as(added.text()).isEqualTo(202);
        return added.field("documentId");
    }

    protected HubClient.Response awaitStatus(String key, String documentId, String status) {
        HubClient.Response[] last = new HubClient.Response[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last[0] = hub.get("/api/v1/documents/" + documentId, key);
            assertThat(last[0].field("status")).as(last[0].text()).isEqualTo(status);
        });
        return last[0];
    }

    protected static String quote(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("caravan-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
