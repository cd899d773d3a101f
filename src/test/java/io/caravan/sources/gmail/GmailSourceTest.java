package io.caravan.sources.gmail;

import static io.caravan.sources.gmail.GmailEmulator.inlineAttachment;
import static io.caravan.sources.gmail.GmailEmulator.multipart;
import static io.caravan.sources.gmail.GmailEmulator.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.ingest.NewDocument;
import io.caravan.sources.SourceBinding;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gmail-source Kamelet against a local Gmail API emulator, through the real intake and index pipeline:
 * every body shape and attachment is indexed and queryable, a message is marked read only once its documents
 * are settled, failures stay unread and are quarantined, tenants never see each other's mail.
 */
class GmailSourceTest extends HubTest {

    private static final GmailEmulator EMULATOR = emulator();
    private static final String SECRET = "gmail-oauth";

    @Autowired
    private CamelContext camel;
    @Autowired
    private List<SourceBinding> bindings;

    private final List<String> instances = new ArrayList<>();

    @DynamicPropertySource
    static void gmail(DynamicPropertyRegistry registry) {
        registry.add("caravan.gmail.root-url", EMULATOR::rootUrl);
        registry.add("caravan.gmail.token-url", EMULATOR::tokenUrl);
    }

    @AfterAll
    static void stopEmulator() {
        EMULATOR.close();
    }

    /** Until the source manager lands: what direct:ingest-source-item does, offer the item to intake. */
    @BeforeEach
    void standInForTheSourceManager() throws Exception {
        boolean present = camel.getRoutes().stream()
                .anyMatch(r -> r.getEndpoint().getEndpointUri().startsWith("direct://ingest-source-item"));
        if (!present) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:ingest-source-item").routeId("ingest-source-item")
                            .process(exchange -> exchange.getMessage().setBody(new NewDocument(
                                    exchange.getMessage().getHeader("CaravanItemTitle", String.class),
                                    exchange.getMessage().getMandatoryBody(byte[].class),
                                    exchange.getMessage().getHeader("CaravanItemType", String.class),
                                    exchange.getMessage().getHeader("CaravanSourceType", String.class),
                                    exchange.getMessage().getHeader("CaravanItemUri", String.class), null)))
                            .to("direct:ingest-document");
                }
            });
        }
    }

    @AfterEach
    void stopSources() throws Exception {
        for (String instance : instances) {
            for (Route route : List.copyOf(camel.getRoutes())) {
                if (route.getRouteId().contains(instance)) {
                    camel.getRouteController().stopRoute(route.getRouteId());
                    camel.removeRoute(route.getRouteId());
                }
            }
        }
    }

    @Test
    void everyBodyShapeAndAttachmentIsIndexedAndTheMessagesMarkedRead() {
        String tenant = newTenant("gm-shapes");
        String key = newKey(tenant);
        GmailEmulator.Mailbox box = EMULATOR.mailbox("client-" + tenant, "secret-" + tenant, "refresh-" + tenant);
        box.add("m1", "Pallets", text("text/plain", "The Lyon warehouse ships pallets every Tuesday morning."));
        box.add("m2", "Invoices", multipart("multipart/alternative",
                text("text/plain", "Plain variant: invoices are due within 45 days of delivery."),
                text("text/html", "<p>HTML variant: invoices are due within 45 days of delivery.</p>")));
        box.add("m3", "Quarterly report", multipart("multipart/mixed",
                multipart("multipart/alternative",
                        text("text/plain", "Nested body: the report and the meeting notes are attached."),
                        text("text/html", "<p>Nested body: the report and the meeting notes are attached.</p>")),
                inlineAttachment("report.pdf", "application/pdf",
                        pdf("The turbine efficiency reached 93 percent in the third quarter.")),
                box.storedAttachment("att-notes", "notes.docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        docx("Meeting notes: the Zephyr project launches in April with four engineers."))));
        box.add("m4", "Kiosk", text("text/html",
                "<html><body><p>The airport kiosk opens at seven every weekday.</p><script>track()</script></body></html>"));
        start(tenant, "support-inbox", box);

        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
                assertThat(box.markedRead).containsExactlyInAnyOrder("m1", "m2", "m3", "m4"));
        Map<String, String> statuses = documentStatuses(key);
        assertThat(statuses).containsOnlyKeys("gmail://m1", "gmail://m2", "gmail://m3", "gmail://m3/report.pdf",
                "gmail://m3/notes.docx", "gmail://m4");
        assertThat(statuses.values()).containsOnly("indexed");
        assertThat(EMULATOR.requests).contains("GET /gmail/v1/users/me/messages/m3/attachments/att-notes",
                "POST /gmail/v1/users/me/messages/m1/modify");

        assertThat(citedUris(key, "What was the turbine efficiency?")).contains("gmail://m3/report.pdf");
        assertThat(citedUris(key, "When does the Zephyr project launch?")).contains("gmail://m3/notes.docx");
        assertThat(citedUris(key, "When does the airport kiosk open?")).contains("gmail://m4");
        JsonNode invoices = query(key, "When are invoices due?");
        assertThat(invoices.toString()).contains("Plain variant").doesNotContain("HTML variant");
    }

    @Test
    void aMessageThatCannotBeReadStaysUnreadAndIsQuarantined() {
        String tenant = newTenant("gm-fail");
        String key = newKey(tenant);
        GmailEmulator.Mailbox box = EMULATOR.mailbox("client-" + tenant, "secret-" + tenant, "refresh-" + tenant);
        box.add("good", "Good", text("text/plain", "Shipments to Oslo leave from dock four."));
        box.add("broken", "Server error", text("text/plain", "never served"));
        box.failingGets.add("broken");
        box.add("corrupt", "Corrupt body", GmailEmulator.corrupt("text/plain"));
        start(tenant, "inbox", box);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(box.markedRead).containsExactly("good");
            JsonNode items = hub.get("/api/v1/quarantine", key).json().get("items");
            List<JsonNode> entries = StreamSupport.stream(items.spliterator(), false).toList();
            assertThat(entries).extracting(e -> e.get("sourceUri").asText())
                    .containsExactlyInAnyOrder("gmail://broken", "gmail://corrupt");
            assertThat(entries).allSatisfy(e -> {
                assertThat(e.get("reason").asText()).isEqualTo("fetch_failed");
                assertThat(e.get("stage").asText()).isEqualTo("fetch");
                assertThat(e.get("sourceType").asText()).isEqualTo("gmail");
            });
            // polled again and again, still one entry each
            assertThat(entries).allSatisfy(e -> assertThat(e.get("attempts").asInt()).isGreaterThanOrEqualTo(2));
        });
        assertThat(box.unread("broken")).isTrue();
        assertThat(box.unread("corrupt")).isTrue();
        assertThat(box.unread("good")).isFalse();
        // the quarantine's one shape for items that failed before a document existed: a quarantined document
        assertThat(documentRows(key)).containsExactlyInAnyOrder("gmail://good=indexed",
                "gmail://broken=quarantined", "gmail://corrupt=quarantined");
        JsonNode quarantined = hub.get("/api/v1/quarantine", key).json().get("items");
        quarantined.forEach(entry -> assertThat(hub.get("/api/v1/documents/" + entry.get("documentId").asText(), key)
                .json().path("status").asText()).as(entry.toString()).isEqualTo("quarantined"));

        // the server recovers: the message goes through, is marked read, and its quarantine entry is resolved
        box.failingGets.remove("broken");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(box.markedRead).containsExactlyInAnyOrder("good", "broken");
            JsonNode items = hub.get("/api/v1/quarantine", key).json().get("items");
            assertThat(StreamSupport.stream(items.spliterator(), false).map(e -> e.get("sourceUri").asText()))
                    .containsExactly("gmail://corrupt");
        });
        assertThat(documentRows(key)).containsExactlyInAnyOrder("gmail://good=indexed",
                "gmail://broken=deleted", "gmail://broken=indexed", "gmail://corrupt=quarantined");
    }

    @Test
    void aMessageLeftUnreadByACrashIsADuplicateNextTimeAndThenMarkedRead() {
        String tenant = newTenant("gm-again");
        String key = newKey(tenant);
        GmailEmulator.Mailbox box = EMULATOR.mailbox("client-" + tenant, "secret-" + tenant, "refresh-" + tenant);
        box.add("d1", "Parking", text("text/plain", "Visitors park on level minus two after six pm."));
        // the first mark-read fails, as if the hub had died right before it
        box.failingModifies.put("d1", new java.util.concurrent.atomic.AtomicInteger(1));
        start(tenant, "inbox", box);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(box.markedRead).contains("d1"));
        assertThat(box.gets.get()).isGreaterThanOrEqualTo(2);
        assertThat(documentStatuses(key)).containsExactly(Map.entry("gmail://d1", "indexed"));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aMailboxThatCannotBeListedMakesTheSourceFailingUntilAPollGoesThrough(CapturedOutput output) {
        String tenant = newTenant("gm-health");
        String key = newKey(tenant);
        GmailEmulator.Mailbox box = EMULATOR.mailbox("client-" + tenant, "cs-" + tenant + "-ZQ7", "rt-" + tenant + "-K9W");
        box.add("h1", "Ferries", text("text/plain", "The harbour ferry leaves every twenty minutes."));
        String wrongSecret = "wrong-cs-" + tenant + "-X4P";
        // credentials the token endpoint refuses (400 invalid_grant), run by the source manager
        putSecret(tenant, credentials(box.clientId, wrongSecret, box.refreshToken));
        String config = "{\"sources\":[{\"id\":\"inbox\",\"type\":\"gmail\",\"credentialsSecret\":\"" + SECRET
                + "\",\"schedule\":\"PT0.5S\"}]}";
        putConfig(tenant, config);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode source = source(key, "inbox");
            assertThat(source.path("state").asText()).isEqualTo("failing");
            assertThat(source.path("lastError").asText()).contains("mailbox not listed").contains("400")
                    .doesNotContain(wrongSecret).doesNotContain(box.refreshToken);
        });
        assertThat(box.unread("h1")).isTrue();

        // the right credentials, and the config saved again: the failing source restarts and goes through
        putSecret(tenant, credentials(box.clientId, box.clientSecret, box.refreshToken));
        putConfig(tenant, config);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(box.markedRead).containsExactly("h1");
            JsonNode source = source(key, "inbox");
            assertThat(source.path("state").asText()).isEqualTo("running");
            assertThat(source.path("lastError").isNull() || source.path("lastError").isMissingNode())
                    .as(source.toString()).isTrue();
        });

        // the Gmail API failing (messages.list 500): failing, then running again once it answers
        box.failingList = true;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode source = source(key, "inbox");
            assertThat(source.path("state").asText()).isEqualTo("failing");
            assertThat(source.path("lastError").asText()).contains("500");
        });
        box.failingList = false;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(source(key, "inbox").path("state").asText()).isEqualTo("running"));

        // secrets never reach the log, whatever failed
        assertThat(output.getAll()).contains("Gmail source inbox could not list its mailbox")
                .doesNotContain(box.clientSecret).doesNotContain(box.refreshToken).doesNotContain(wrongSecret);
        assertThat(hub.delete("/admin/v1/tenants/" + tenant, ADMIN_TOKEN).status()).isEqualTo(200);
    }

    @Test
    void twoTenantsReadTheirOwnMailboxesIntoTheirOwnStores() {
        String acme = newTenant("gm-acme");
        String globex = newTenant("gm-globex");
        String acmeKey = newKey(acme);
        String globexKey = newKey(globex);
        GmailEmulator.Mailbox acmeBox = EMULATOR.mailbox("client-" + acme, "secret-" + acme, "refresh-" + acme);
        GmailEmulator.Mailbox globexBox = EMULATOR.mailbox("client-" + globex, "secret-" + globex,
                "refresh-" + globex);
        acmeBox.add("m1", "Acme refunds", text("text/plain", "Acme refunds every purchase within 14 days."));
        globexBox.add("m1", "Globex refunds", text("text/plain", "Globex refunds returns as store credit for 90 days."));
        start(acme, "inbox", acmeBox);
        start(globex, "inbox", globexBox);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(acmeBox.markedRead).containsExactly("m1");
            assertThat(globexBox.markedRead).containsExactly("m1");
        });
        assertThat(documentStatuses(acmeKey)).containsExactly(Map.entry("gmail://m1", "indexed"));
        assertThat(documentStatuses(globexKey)).containsExactly(Map.entry("gmail://m1", "indexed"));
        String acmeAnswer = query(acmeKey, "How do refunds work?").toString();
        String globexAnswer = query(globexKey, "How do refunds work?").toString();
        assertThat(acmeAnswer).contains("14 days").doesNotContain("Globex");
        assertThat(globexAnswer).contains("store credit").doesNotContain("Acme");
    }

    @Test
    void missingOrInvalidCredentialsAreAClearError() {
        String tenant = newTenant("gm-creds");
        TenantId id = TenantId.of(tenant);
        TenantConfig.Source source = source("inbox");
        assertThatThrownBy(() -> gmail().properties(id, source))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + SECRET + "'")
                .hasMessageContaining("does not exist");

        putSecret(tenant, "not json at all");
        assertThatThrownBy(() -> gmail().properties(id, source))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + SECRET + "'")
                .hasMessageContaining("not JSON").hasMessageNotContaining("not json at all");

        putSecret(tenant, "{\"clientId\":\"c\",\"clientSecret\":\"top-secret-value\"}");
        assertThatThrownBy(() -> gmail().properties(id, source))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + SECRET + "'")
                .hasMessageContaining("refreshToken").hasMessageNotContaining("top-secret-value");

        TenantConfig.Source withoutSecret = new TenantConfig.Source("inbox", "gmail", null, null, null, null,
                null, null, null, null, null, null);
        assertThatThrownBy(() -> gmail().properties(id, withoutSecret))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credentialsSecret");

        putSecret(tenant, "{\"clientId\":\"c\",\"clientSecret\":\"s\",\"refreshToken\":\"r\"}");
        assertThat(gmail().properties(id, source)).containsEntry("clientId", "c").containsEntry("clientSecret", "s")
                .containsEntry("refreshToken", "r").containsEntry("query", "is:unread");
        assertThat(gmail().kamelet()).isEqualTo("gmail-source");
        TenantConfig.Source everyFiveMinutes = new TenantConfig.Source("inbox", "gmail", null, null, null, "PT5M",
                "label:support is:unread", SECRET, null, null, null, null);
        assertThat(gmail().properties(id, everyFiveMinutes)).containsEntry("delay", "300000")
                .containsEntry("query", "label:support is:unread");
        TenantConfig.Source badSchedule = new TenantConfig.Source("inbox", "gmail", null, null, null, "5 minutes",
                null, SECRET, null, null, null, null);
        assertThatThrownBy(() -> gmail().properties(id, badSchedule))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schedule");
    }

    @Test
    void anInstanceWithoutTenantIsRefused() {
        assertThatThrownBy(() -> camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("kamelet:gmail-source/no-tenant?sourceId=inbox&clientId=c&clientSecret=s&refreshToken=r")
                        .routeId("gmail-test-no-tenant").to("direct:ingest-source-item");
            }
        })).hasStackTraceContaining("tenantId");
        instances.add("no-tenant");
    }

    // ---- helpers ----

    private SourceBinding gmail() {
        return bindings.stream().filter(b -> b.type().equals("gmail")).findFirst().orElseThrow();
    }

    private static TenantConfig.Source source(String id) {
        return new TenantConfig.Source(id, "gmail", null, null, null, null, "is:unread", SECRET, null, null, null, null);
    }

    private static String credentials(String clientId, String clientSecret, String refreshToken) {
        return "{\"clientId\":\"" + clientId + "\",\"clientSecret\":\"" + clientSecret + "\",\"refreshToken\":\""
                + refreshToken + "\"}";
    }

    private void putConfig(String tenant, String config) {
        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN, config);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
    }

    /** The source as {@code GET /api/v1/sources} shows it. */
    private JsonNode source(String key, String id) {
        HubClient.Response sources = hub.get("/api/v1/sources", key);
        assertThat(sources.status()).as(sources.text()).isEqualTo(200);
        for (JsonNode item : sources.json().path("items")) {
            if (item.path("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError("no source " + id + " in " + sources.text());
    }

    private void putSecret(String tenant, String value) {
        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/" + SECRET, ADMIN_TOKEN,
                "{\"value\":" + quote(value) + "}");
        assertThat(put.status()).as(put.text()).isEqualTo(204);
    }

    /** What the source manager will do: credentials into the tenant's secret, the binding's properties, a route. */
    private void start(String tenant, String sourceId, GmailEmulator.Mailbox box) {
        putSecret(tenant, "{\"clientId\":\"" + box.clientId + "\",\"clientSecret\":\"" + box.clientSecret
                + "\",\"refreshToken\":\"" + box.refreshToken + "\"}");
        Map<String, String> properties = new HashMap<>(gmail().properties(TenantId.of(tenant), source(sourceId)));
        properties.put("delay", "300");
        String instance = tenant + "-" + sourceId;
        StringBuilder uri = new StringBuilder("kamelet:gmail-source/" + instance + "?tenantId=" + tenant
                + "&sourceId=" + sourceId);
        properties.forEach((name, value) -> uri.append('&').append(name).append("=RAW(").append(value).append(')'));
        instances.add(instance);
        try {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(uri.toString()).routeId("gmail-test-" + instance).to("direct:ingest-source-item");
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> documentStatuses(String key) {
        JsonNode items = hub.get("/api/v1/documents?limit=100", key).json().get("items");
        Map<String, String> statuses = new HashMap<>();
        items.forEach(item -> statuses.put(item.get("sourceUri").asText(), item.get("status").asText()));
        return statuses;
    }

    /** Every document of the tenant as {@code sourceUri=status}, also several of one URI. */
    private List<String> documentRows(String key) {
        List<String> rows = new ArrayList<>();
        hub.get("/api/v1/documents?limit=100", key).json().get("items").forEach(item ->
                rows.add(item.get("sourceUri").asText() + "=" + item.get("status").asText()));
        return rows;
    }

    private JsonNode query(String key, String question) {
        HubClient.Response answer = hub.postJson("/api/v1/query", key, "{\"question\":" + quote(question) + "}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        return answer.json();
    }

    private List<String> citedUris(String key, String question) {
        List<String> uris = new ArrayList<>();
        query(key, question).get("citations").forEach(c -> uris.add(c.get("sourceUri").asText()));
        return uris;
    }

    private static byte[] pdf(String text) {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                content.newLineAtOffset(72, 700);
                content.showText(text);
                content.endText();
            }
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] docx(String text) {
        try (XWPFDocument document = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            document.createParagraph().createRun().setText(text);
            document.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GmailEmulator emulator() {
        try {
            return new GmailEmulator();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
