package io.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/** Fail closed at the edge: no key, a wrong key, a revoked key or the wrong kind of token never gets through. */
@Tag("contract")
class TenantlessRequestsTest extends HubTest {

    private static final List<String[]> TENANT_CALLS = List.of(
            new String[] {"GET", "/api/v1/documents"},
            new String[] {"GET", "/api/v1/documents/doc_x"},
            new String[] {"DELETE", "/api/v1/documents/doc_x"},
            new String[] {"POST", "/api/v1/documents"},
            new String[] {"POST", "/api/v1/query"},
            new String[] {"GET", "/api/v1/quarantine"},
            new String[] {"POST", "/api/v1/quarantine/q_x/retry"},
            new String[] {"DELETE", "/api/v1/quarantine/q_x"},
            new String[] {"GET", "/api/v1/budget"},
            new String[] {"GET", "/api;x=1/v1/documents"},
            new String[] {"GET", "/%61pi/v1/documents"},
            new String[] {"GET", "/api/v1/unknown-endpoint"});

    @ParameterizedTest
    @ValueSource(strings = {"", "cvn_not-a-real-key", "not-even-a-cvn-key", HubTest.ADMIN_TOKEN})
    void everyTenantEndpointRefusesRequestsWithoutAValidTenantKey(String token) {
        for (String[] call : TENANT_CALLS) {
            HubClient.Response response = call(call[0], call[1], token.isEmpty() ? null : token);
            assertThat(response.status()).as(call[0] + " " + call[1]).isEqualTo(401);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.code()).isEqualTo("unauthenticated");
            assertThat(response.json().get("status").asInt()).isEqualTo(401);
            assertThat(response.json().get("type").asText()).isEqualTo("about:blank");
        }
    }

    @Test
    void adminEndpointsNeedTheAdminTokenAndRefuseTenantKeys() {
        String tenant = newTenant("edge");
        String key = newKey(tenant);
        for (String token : new String[] {null, "wrong-token"}) {
            HubClient.Response response = hub.get("/admin/v1/tenants", token);
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.code()).isEqualTo("unauthenticated");
        }
        HubClient.Response withTenantKey = hub.get("/admin/v1/tenants", key);
        assertThat(withTenantKey.status()).isEqualTo(403);
        assertThat(withTenantKey.code()).isEqualTo("forbidden");
        HubClient.Response create = hub.postJson("/admin/v1/tenants", key, "{\"id\":\"sneaky\"}");
        assertThat(create.status()).isEqualTo(403);
        assertThat(hub.get("/admin/v1/tenants/sneaky", ADMIN_TOKEN).status()).isEqualTo(404);
    }

    @Test
    void encodedOrParameterisedAdminPathsCannotSkipTheAdminCheck() {
        String tenant = newTenant("bypass");
        for (String path : new String[] {"/admin;x=1/v1/tenants", "/%61dmin/v1/tenants", "/admin/v1;a=b/tenants",
                "//admin/v1/tenants", "/admin/v1/tenants/" + tenant + "/keys;x"}) {
            HubClient.Response listed = hub.get(path, null);
            assertThat(listed.status()).as(path).isIn(400, 401, 404);
            assertThat(listed.text()).as(path).doesNotContain(tenant);
            HubClient.Response issued = hub.postJson(path.endsWith("tenants") ? path + "/" + tenant + "/keys" : path,
                    null, "{\"name\":\"stolen\"}");
            assertThat(issued.status()).as(path).isIn(400, 401, 404, 405);
            assertThat(issued.text()).as(path).doesNotContain("cvn_");
        }
    }

    @Test
    void aRevokedKeyStopsWorkingAtOnce() {
        String tenant = newTenant("revoke");
        HubClient.Response issued = hub.postJson("/admin/v1/tenants/" + tenant + "/keys", ADMIN_TOKEN, "{\"name\":\"x\"}");
        String key = issued.field("apiKey");
        assertThat(key).startsWith("cvn_");
        assertThat(hub.get("/api/v1/documents", key).status()).isEqualTo(200);

        HubClient.Response revoked = hub.delete("/admin/v1/tenants/" + tenant + "/keys/" + issued.field("keyId"), ADMIN_TOKEN);
        assertThat(revoked.status()).isEqualTo(204);
        HubClient.Response after = hub.get("/api/v1/documents", key);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.code()).isEqualTo("unauthenticated");
        assertThat(hub.delete("/admin/v1/tenants/" + tenant + "/keys/" + issued.field("keyId"), ADMIN_TOKEN).status())
                .isEqualTo(404);
    }

    @Test
    void aKeyOfOneTenantCannotBeRevokedThroughAnother() {
        String a = newTenant("ka");
        String b = newTenant("kb");
        HubClient.Response issued = hub.postJson("/admin/v1/tenants/" + a + "/keys", ADMIN_TOKEN, "{\"name\":\"x\"}");
        assertThat(hub.delete("/admin/v1/tenants/" + b + "/keys/" + issued.field("keyId"), ADMIN_TOKEN).status())
                .isEqualTo(404);
        assertThat(hub.get("/api/v1/documents", issued.field("apiKey")).status()).isEqualTo(200);
    }

    @Test
    void tenantlessRejectionsAreCountedWithoutATenantLabel() {
        double before = missingHttp();
        hub.get("/api/v1/documents", null);
        hub.get("/api/v1/budget", "cvn_unknown");
        assertThat(missingHttp()).isEqualTo(before + 2);
    }

    private double missingHttp() {
        HubClient.Response scrape = hub.get("/actuator/prometheus", null);
        assertThat(scrape.status()).isEqualTo(200);
        java.util.regex.Matcher matcher = java.util.regex.Pattern
                .compile("rag_tenant_missing_total\\{[^}]*surface=\"http\"[^}]*} ([0-9.E]+)").matcher(scrape.text());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    private HubClient.Response call(String method, String path, String token) {
        return switch (method) {
            case "GET" -> hub.get(path, token);
            case "DELETE" -> hub.delete(path, token);
            default -> hub.postJson(path, token, "{\"title\":\"t\",\"text\":\"x\",\"question\":\"q\"}");
        };
    }
}
