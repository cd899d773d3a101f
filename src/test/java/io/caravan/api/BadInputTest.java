package io.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input gets the documented problem+json code, and the hub keeps working afterwards. */
class BadInputTest extends HubTest {

    private String tenant;
    private String key;

    @BeforeEach
    void tenant() {
        tenant = newTenant("bad");
        key = newKey(tenant);
    }

    @Test
    void malformedJson() {
        expect(hub.postJson("/api/v1/documents", key, "{\"title\": \"x\", \"text\": "), 400, "invalid_request");
        expect(hub.postJson("/api/v1/query", key, "not json at all"), 400, "invalid_request");
        expect(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{"), 400, "invalid_request");
    }

    @Test
    void missingFields() {
        expect(hub.postJson("/api/v1/documents", key, "{\"title\":\"no text\"}"), 400, "invalid_request");
        expect(hub.postJson("/api/v1/documents", key, "{\"text\":\"no title\"}"), 400, "invalid_request");
        expect(hub.postJson("/api/v1/query", key, "{}"), 400, "invalid_request");
        expect(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"displayName\":\"no id\"}"), 400, "invalid_request");
        expect(hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/s", ADMIN_TOKEN, "{}"), 400, "invalid_request");
    }

    @Test
    void unknownFields() {
        HubClient.Response response = hub.postJson("/api/v1/documents", key,
                "{\"title\":\"t\",\"text\":\"x\",\"tenant\":\"someone-else\"}");
        expect(response, 400, "invalid_request");
        assertThat(response.field("detail")).contains("tenant");
        expect(hub.postJson("/api/v1/query", key, "{\"question\":\"q\",\"tenantId\":\"x\"}"), 400, "invalid_request");
        expect(hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"budgets\":{\"llmTokensPerDay\":5,\"bogus\":1}}"), 400, "invalid_request");
        expect(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":\"fine-id\",\"colour\":\"red\"}"), 400,
                "invalid_request");
    }

    @Test
    void emptyDocuments() {
        expect(hub.postJson("/api/v1/documents", key, "{\"title\":\"t\",\"text\":\"\"}"), 400, "invalid_request");
        expect(hub.postJson("/api/v1/documents", key, "{\"title\":\"t\",\"text\":\"  \\n\\t \"}"), 400,
                "invalid_request");
        expect(hub.upload("/api/v1/documents", key, "empty.txt", "text/plain", new byte[0]), 400, "invalid_request");
    }

    @Test
    void unsupportedFileTypes() {
        expect(hub.upload("/api/v1/documents", key, "program.exe", "application/octet-stream",
                new byte[] {0x4d, 0x5a, 0, 1}), 415, "unsupported_media_type");
        expect(hub.upload("/api/v1/documents", key, "picture.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}),
                415, "unsupported_media_type");
        HubClient.Response wrongContentType = hub.send("/api/v1/documents", key, "text/csv", "a,b\n1,2");
        expect(wrongContentType, 415, "unsupported_media_type");
    }

    @Test
    void invalidTenantIds() {
        for (String id : new String[] {"A", "1abc", "has space", "UPPER", "x", "a".repeat(41), "under_score"}) {
            expect(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":" + quote(id) + "}"), 400, "invalid_request");
        }
        expect(hub.get("/admin/v1/tenants/No_Such", ADMIN_TOKEN), 404, "tenant_not_found");
        expect(hub.get("/admin/v1/tenants/no-such-tenant", ADMIN_TOKEN), 404, "tenant_not_found");
        expect(hub.postJson("/admin/v1/tenants/no-such-tenant/keys", ADMIN_TOKEN, "{\"name\":\"k\"}"), 404,
                "tenant_not_found");
    }

    @Test
    void existingTenantIsAConflict() {
        expect(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":\"" + tenant + "\"}"), 409, "conflict");
    }

    @Test
    void outOfRangeQueryParameters() {
        expect(hub.postJson("/api/v1/query", key, "{\"question\":\"q\",\"topK\":0}"), 400, "invalid_request");
        expect(hub.postJson("/api/v1/query", key, "{\"question\":\"q\",\"criticality\":\"urgent\"}"), 400,
                "invalid_request");
        expect(hub.get("/api/v1/documents?limit=0", key), 400, "invalid_request");
        expect(hub.get("/api/v1/documents?status=lost", key), 400, "invalid_request");
        expect(hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"routing\":{\"defaultCriticality\":\"urgent\"}}"), 400, "invalid_request");
    }

    @Test
    void tooLargeDocument() {
        HubClient.Response config = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"maxDocumentBytes\":1000}}");
        assertThat(config.status()).as(config.text()).isEqualTo(200);
        assertThat(config.json().get("version").asInt()).isEqualTo(2);
        expect(hub.upload("/api/v1/documents", key, "big.txt", "text/plain",
                "word ".repeat(400).getBytes(StandardCharsets.UTF_8)), 413, "payload_too_large");
    }

    @Test
    void theHubKeepsWorkingAfterBadInput() {
        malformedJson();
        unknownFields();
        String documentId = addText(key, "Fine", "A perfectly good document after all that.");
        awaitStatus(key, documentId, "indexed");
    }

    private static void expect(HubClient.Response response, int status, String code) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.code()).isEqualTo(code);
        assertThat(response.json().get("title").asText()).isNotBlank();
        assertThat(response.json().get("detail").asText()).isNotBlank();
    }
}
