package io.caravan.sources.messenger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The Messenger webhook over real HTTP (API.md, Webhooks): handshake, signatures over the raw bytes, durable
 * intake before the 200, mid de-duplication, multi-entry payloads, and tenant isolation.
 */
@ExtendWith(OutputCaptureExtension.class)
class MessengerWebhookTest extends HubTest {

    /** A tenant with one messenger source, its secrets set, and an API key to look at its documents. */
    record Page(String tenant, String key, String pageId, String appSecret, String verifyToken) {
    }

    // ---- handshake ---------------------------------------------------------------------------------------

    @Test
    void handshakeEchoesTheChallengeOnlyForTheTenantsVerifyToken() {
        Page page = newPage("mhs");
        Page other = newPage("mhso");

        HubClient.Response ok = handshake(page.tenant(), "subscribe", page.verifyToken(), "1158201444");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.contentType()).startsWith("text/plain");
        assertThat(ok.text()).isEqualTo("1158201444");

        for (String token : new String[] {"wrong", other.verifyToken(), page.verifyToken() + "x", ""}) {
            HubClient.Response refused = handshake(page.tenant(), "subscribe", token, "1158201444");
            assertThat(refused.status()).as(token).isEqualTo(403);
            assertThat(refused.code()).isEqualTo("forbidden");
            assertThat(refused.text()).doesNotContain("1158201444");
        }
        assertThat(handshake(page.tenant(), "unsubscribe", page.verifyToken(), "42").status()).isEqualTo(403);
        assertThat(hub.get("/webhooks/messenger/" + page.tenant(), null).status()).isEqualTo(403);

        HubClient.Response unknown = handshake("no-such-tenant-x", "subscribe", page.verifyToken(), "42");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo("tenant_not_found");
    }

    // ---- signatures --------------------------------------------------------------------------------------

    @Test
    void onlyTheTenantsOwnAppSecretSignsItsWebhooks() {
        Page page = newPage("msig");
        Page other = newPage("msigo");
        byte[] body = payload(page.pageId(), List.of(message("m_" + UUID.randomUUID(), "Where is my parcel?")));

        List<HubClient.Response> refused = new ArrayList<>();
        refused.add(post(page.tenant(), body, null));
        refused.add(post(page.tenant(), body, Map.of("X-Hub-Signature-256", "")));
        refused.add(post(page.tenant(), body, Map.of("X-Hub-Signature-256", "sha1=" + "ab".repeat(20))));
        refused.add(post(page.tenant(), body, Map.of("X-Hub-Signature-256", "sha256=" + "00".repeat(32))));
        refused.add(post(page.tenant(), body, Map.of("X-Hub-Signature-256", "sha256=zz")));
        refused.add(post(page.tenant(), body, signed("not-the-secret", body)));
        // another tenant's app secret, and the other tenant's correctly signed body sent to this tenant's path
        refused.add(post(page.tenant(), body, signed(other.appSecret(), body)));
        byte[] othersBody = payload(other.pageId(), List.of(message("m_" + UUID.randomUUID(), "hello")));
        refused.add(post(page.tenant(), othersBody, signed(other.appSecret(), othersBody)));
        // a signature over different bytes (one byte changed)
        byte[] tampered = body.clone();
        tampered[tampered.length - 3] ^= 1;
        refused.add(post(page.tenant(), tampered, signed(page.appSecret(), body)));

        for (HubClient.Response response : refused) {
            assertThat(response.status()).as(response.text()).isEqualTo(401);
            assertThat(response.code()).isEqualTo("unauthenticated");
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        assertThat(documents(page)).isEmpty();
        assertThat(documents(other)).isEmpty();

        assertThat(post(page.tenant(), body, signed(page.appSecret(), body)).status()).isEqualTo(200);
        assertThat(documents(page)).hasSize(1);
    }

    @Test
    void theSignatureCoversTheRawBytesEvenWhenTheyAreNotCleanUtf8() {
        Page page = newPage("mraw");
        // valid UTF-8 beyond ASCII: re-encoding it any other way would break the signature
        byte[] utf8 = payload(page.pageId(), List.of(message("m_" + UUID.randomUUID(),
                "Réclamation 🚀 Straße — colis perdu")));
        HubClient.Response accepted = post(page.tenant(), utf8, signed(page.appSecret(), utf8));
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
        assertThat(documents(page)).singleElement()
                .satisfies(doc -> assertThat(doc.path("title").asText()).startsWith("Messenger message from"));

        // bytes that are not UTF-8 at all (0xFF, a lone continuation byte): still verified over the exact bytes,
        // so the answer is "bad JSON" (400), not "bad signature" (401)
        String json = new String(payload(page.pageId(), List.of(message("m_bin", "XX"))), StandardCharsets.UTF_8);
        byte[] dirty = json.replace("XX", "\u0000\u0001").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(dirty, new byte[] {0, 1});
        dirty[at] = (byte) 0xFF;
        dirty[at + 1] = (byte) 0x80;
        HubClient.Response verifiedButInvalid = post(page.tenant(), dirty, signed(page.appSecret(), dirty));
        assertThat(verifiedButInvalid.status()).as(verifiedButInvalid.text()).isEqualTo(400);
        assertThat(verifiedButInvalid.code()).isEqualTo("invalid_request");

        // the same bytes signed as a server that decoded them as text would see them: refused
        byte[] decodedAndReencoded = new String(dirty, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
        assertThat(post(page.tenant(), dirty, signed(page.appSecret(), decodedAndReencoded)).status())
                .isEqualTo(401);
        assertThat(documents(page)).hasSize(1);
    }

    @Test
    void badJsonWithAValidSignatureIsAnInvalidRequest() {
        Page page = newPage("mjson");
        for (String body : new String[] {"{not json", "[]", "{\"object\":\"page\"}", "{\"object\":\"page\",\"entry\":7}"}) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            HubClient.Response response = post(page.tenant(), bytes, signed(page.appSecret(), bytes));
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.code()).isEqualTo("invalid_request");
        }
    }

    @Test
    void unknownTenantsAndTenantsWithoutMessengerAre404() {
        byte[] body = payload("123", List.of(message("m_x", "hi")));
        HubClient.Response unknown = post("no-such-tenant-y", body, signed("s", body));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo("tenant_not_found");
        assertThat(post("Not_A_Tenant", body, signed("s", body)).status()).isEqualTo(404);

        String plain = newTenant("mnone");
        HubClient.Response noSource = post(plain, body, signed("s", body));
        assertThat(noSource.status()).isEqualTo(404);
        assertThat(noSource.code()).isEqualTo("tenant_not_found");
    }

    // ---- ingestion ---------------------------------------------------------------------------------------

    @Test
    void multiEntryPayloadsAreRecordedBeforeThe200ThenIndexedAndQueryable() {
        Page page = newPage("mmulti");
        String a = "m_" + UUID.randomUUID();
        String b = "m_" + UUID.randomUUID();
        String c = "m_" + UUID.randomUUID();
        byte[] body = """
                {"object":"page","entry":[
                 {"id":"%1$s","time":1700000000000,"messaging":[
                   {"sender":{"id":"psid-anna"},"recipient":{"id":"%1$s"},"timestamp":1700000000000,
                    "message":{"mid":"%2$s","text":"My order 4711 arrived broken, the blue teapot is cracked."}},
                   {"sender":{"id":"psid-ben"},"recipient":{"id":"%1$s"},"timestamp":1700000001000,
                    "message":{"mid":"%3$s","text":"Can I pick up the replacement in the Lyon store?",
                               "attachments":[{"type":"image","payload":{"url":"https://cdn.example/photo.jpg"}}]}},
                   {"sender":{"id":"%1$s"},"recipient":{"id":"psid-anna"},"timestamp":1700000002000,
                    "message":{"mid":"m_echo_%2$s","is_echo":true,"app_id":1,"text":"We are sorry!"}},
                   {"sender":{"id":"psid-anna"},"recipient":{"id":"%1$s"},"timestamp":1700000003000,
                    "delivery":{"mids":["%2$s"],"watermark":1700000002000}},
                   {"sender":{"id":"psid-anna"},"recipient":{"id":"%1$s"},"timestamp":1700000004000,
                    "read":{"watermark":1700000002000}}]},
                 {"id":"%1$s","time":1700000005000,"messaging":[
                   {"sender":{"id":"psid-carla"},"recipient":{"id":"%1$s"},"timestamp":1700000005000,
                    "message":{"mid":"%4$s","text":"Do you ship caravan awnings to Norway?"}}]},
                 {"id":"999999","time":1700000006000,"messaging":[
                   {"sender":{"id":"psid-x"},"recipient":{"id":"999999"},"timestamp":1700000006000,
                    "message":{"mid":"m_foreign_page","text":"a page this tenant does not own"}}]}]}
                """.formatted(page.pageId(), a, b, c).getBytes(StandardCharsets.UTF_8);

        HubClient.Response response = post(page.tenant(), body, signed(page.appSecret(), body));
        assertThat(response.status()).as(response.text()).isEqualTo(200);

        // recorded durably before the 200: visible at once, no waiting
        List<JsonNode> docs = documents(page);
        assertThat(docs).hasSize(3);
        assertThat(docs).allSatisfy(doc -> assertThat(doc.path("sourceType").asText()).isEqualTo("messenger"));
        assertThat(docs).extracting(doc -> doc.path("sourceUri").asText()).containsExactlyInAnyOrder(
                "messenger://" + page.pageId() + "/psid-anna/" + a,
                "messenger://" + page.pageId() + "/psid-ben/" + b,
                "messenger://" + page.pageId() + "/psid-carla/" + c);
        assertThat(docs).extracting(doc -> doc.path("title").asText()).contains(
                "Messenger message from psid-anna at 2023-11-14T22:13:20Z");

        for (JsonNode doc : docs) {
            awaitStatus(page.key(), doc.path("documentId").asText(), "indexed");
        }
        HubClient.Response answer = hub.postJson("/api/v1/query", page.key(),
                "{\"question\":\"Which teapot arrived cracked?\"}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.json().path("citations").toString()).contains("psid-anna/" + a);
        HubClient.Response attachment = hub.postJson("/api/v1/query", page.key(),
                "{\"question\":\"replacement pick up Lyon store photo\"}");
        assertThat(attachment.json().path("citations").toString()).contains("https://cdn.example/photo.jpg");
    }

    @Test
    void aMidIsIngestedOncePerTenantEvenWhenReplayedAfterIndexing() {
        Page page = newPage("mdup");
        Page other = newPage("mdupo");
        String mid = "m_" + UUID.randomUUID();
        byte[] first = payload(page.pageId(), List.of(message(mid, "Please cancel my booking for Friday.")));
        assertThat(post(page.tenant(), first, signed(page.appSecret(), first)).status()).isEqualTo(200);
        List<JsonNode> docs = documents(page);
        assertThat(docs).hasSize(1);
        awaitStatus(page.key(), docs.get(0).path("documentId").asText(), "indexed");

        // replayed as is, and again with other text under the same mid: neither is a new document
        assertThat(post(page.tenant(), first, signed(page.appSecret(), first)).status()).isEqualTo(200);
        byte[] edited = payload(page.pageId(), List.of(message(mid, "A different text under the same mid.")));
        assertThat(post(page.tenant(), edited, signed(page.appSecret(), edited)).status()).isEqualTo(200);
        // the same mid twice in one payload
        String twice = "m_" + UUID.randomUUID();
        byte[] doubled = payload(page.pageId(), List.of(message(twice, "First copy."), message(twice, "Second copy.")));
        assertThat(post(page.tenant(), doubled, signed(page.appSecret(), doubled)).status()).isEqualTo(200);
        assertThat(documents(page)).hasSize(2);

        // the same mid for another tenant is that tenant's own document
        byte[] forOther = payload(other.pageId(), List.of(message(mid, "Please cancel my booking for Friday.")));
        assertThat(post(other.tenant(), forOther, signed(other.appSecret(), forOther)).status()).isEqualTo(200);
        assertThat(documents(other)).hasSize(1);
        assertThat(documents(page)).hasSize(2);
    }

    @Test
    void erasingATenantForgetsItsMidsAndNoSecretOrMessageReachesTheLog(CapturedOutput output) {
        Page page = newPage("merase");
        String mid = "m_" + UUID.randomUUID();
        String text = "Confidential: my door code is 4711-" + UUID.randomUUID();
        byte[] body = payload(page.pageId(), List.of(message(mid, text)));
        assertThat(post(page.tenant(), body, signed(page.appSecret(), body)).status()).isEqualTo(200);
        assertThat(handshake(page.tenant(), "subscribe", page.verifyToken(), "99").status()).isEqualTo(200);
        assertThat(documents(page)).hasSize(1);

        assertThat(hub.delete("/admin/v1/tenants/" + page.tenant(), ADMIN_TOKEN).status()).isEqualTo(200);
        HubClient.Response created = hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":\"" + page.tenant() + "\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(hub.putJson("/admin/v1/tenants/" + page.tenant() + "/config", ADMIN_TOKEN,
                "{\"sources\":[{\"id\":\"fb-page\",\"type\":\"messenger\",\"pageId\":\"" + page.pageId() + "\"}]}")
                .status()).isEqualTo(200);
        putSecret(page.tenant(), "messenger-app-secret", page.appSecret());
        String key = newKey(page.tenant());
        assertThat(post(page.tenant(), body, signed(page.appSecret(), body)).status()).isEqualTo(200);
        assertThat(hub.get("/api/v1/documents", key).json().path("items")).hasSize(1);

        assertThat(output.getAll()).doesNotContain(page.appSecret()).doesNotContain(page.verifyToken())
                .doesNotContain(text).contains("Messenger webhook carries 1 message(s)");
    }

    @Test
    void aMessageTheIntakeRefusesDoesNotBlockTheRestOfTheDelivery() {
        Page page = newPage("mrej");
        assertThat(hub.putJson("/admin/v1/tenants/" + page.tenant() + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"maxDocumentBytes\":60},\"sources\":[{\"id\":\"fb-page\",\"type\":\"messenger\","
                        + "\"pageId\":\"" + page.pageId() + "\"}]}").status()).isEqualTo(200);
        String tooLong = "m_" + UUID.randomUUID();
        byte[] body = payload(page.pageId(), List.of(
                message(tooLong, "This message is far longer than the sixty bytes this tenant allows per document."),
                message("m_" + UUID.randomUUID(), "Short and fine.")));
        HubClient.Response response = post(page.tenant(), body, signed(page.appSecret(), body));
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        // the refused message is quarantined with its reason (as the backfill would), the other one accepted
        assertThat(documents(page)).extracting(doc -> doc.path("status").asText()).hasSize(2)
                .containsOnlyOnce("quarantined")
                .allMatch(status -> List.of("quarantined", "queued", "indexed").contains(status));
        JsonNode quarantined = hub.get("/api/v1/quarantine", page.key()).json().get("items");
        assertThat(quarantined).hasSize(1);
        assertThat(quarantined.get(0).get("reason").asText()).isEqualTo("too_large");
        // Facebook's retry of the same delivery succeeds at once and adds nothing
        assertThat(post(page.tenant(), body, signed(page.appSecret(), body)).status()).isEqualTo(200);
        assertThat(documents(page)).hasSize(2);
        assertThat(hub.get("/api/v1/quarantine", page.key()).json().get("items")).hasSize(1);
    }

    // ---- the edge ----------------------------------------------------------------------------------------

    @Test
    void dotSegmentsThroughTheWebhookPrefixDoNotBypassTheApiOrAdminChecks() throws IOException {
        String tenant = newTenant("mdot");
        String[] targets = {
                "GET /webhooks/../api/v1/documents",
                "GET /webhooks/../admin/v1/tenants",
                "GET /webhooks/messenger/../../admin/v1/tenants",
                "GET /webhooks/%2e%2e/admin/v1/tenants",
                "GET /webhooks/%2E%2E/api/v1/documents",
                "GET /webhooks/..;x=1/admin/v1/tenants",
                "GET /webhooks/./../admin/v1/tenants",
                "POST /webhooks/../admin/v1/tenants/" + tenant + "/keys",
                "GET /webhooks/messenger/..%2f..%2fadmin/v1/tenants"};
        for (String target : targets) {
            String[] parts = target.split(" ");
            RawResponse response = raw(parts[0], parts[1]);
            assertThat(response.status()).as(target).isIn(400, 401, 404);
            assertThat(response.body()).as(target).doesNotContain(tenant).doesNotContain("cvn_");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private Page newPage(String prefix) {
        String tenant = newTenant(prefix);
        String pageId = Long.toString(100000000L + (System.nanoTime() & 0xFFFFFFFL));
        String config = """
                {"sources":[{"id":"fb-page","type":"messenger","pageId":"%s",
                 "appSecretSecret":"messenger-app-secret","verifyTokenSecret":"messenger-verify-token"}]}"""
                .formatted(pageId);
        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN, config);
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        String appSecret = "app-secret-" + UUID.randomUUID();
        String verifyToken = "verify-" + UUID.randomUUID();
        putSecret(tenant, "messenger-app-secret", appSecret);
        putSecret(tenant, "messenger-verify-token", verifyToken);
        return new Page(tenant, newKey(tenant), pageId, appSecret, verifyToken);
    }

    private void putSecret(String tenant, String name, String value) {
        HubClient.Response put = hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/" + name, ADMIN_TOKEN,
                "{\"value\":" + quote(value) + "}");
        assertThat(put.status()).as(put.text()).isEqualTo(204);
    }

    private HubClient.Response handshake(String tenant, String mode, String token, String challenge) {
        return hub.get("/webhooks/messenger/" + tenant + "?hub.mode=" + enc(mode) + "&hub.verify_token=" + enc(token)
                + "&hub.challenge=" + enc(challenge), null);
    }

    private HubClient.Response post(String tenant, byte[] body, Map<String, String> headers) {
        return hub.postBytes("/webhooks/messenger/" + tenant, "application/json", body,
                headers == null ? Map.of() : headers);
    }

    private List<JsonNode> documents(Page page) {
        HubClient.Response list = hub.get("/api/v1/documents?limit=500", page.key());
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        list.json().path("items").forEach(items::add);
        return items;
    }

    static String message(String mid, String text) {
        return """
                {"sender":{"id":"psid-1"},"recipient":{"id":"PAGE"},"timestamp":1700000000000,
                 "message":{"mid":%s,"text":%s}}""".formatted(quote(mid), quote(text));
    }

    static byte[] payload(String pageId, List<String> events) {
        String messaging = String.join(",", events).replace("\"PAGE\"", quote(pageId));
        return ("{\"object\":\"page\",\"entry\":[{\"id\":" + quote(pageId) + ",\"time\":1700000000000,"
                + "\"messaging\":[" + messaging + "]}]}").getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> signed(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Map.of("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }

    record RawResponse(int status, String body) {
    }

    /** Sends the request line exactly as written (HTTP clients may normalise dot segments themselves). */
    private RawResponse raw(String method, String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            OutputStream out = socket.getOutputStream();
            String body = "POST".equals(method) ? "{\"name\":\"stolen\"}" : "";
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String response = all.toString(StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(response.substring(9, 12));
            return new RawResponse(status, response);
        }
    }
}
