package io.caravan.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.Tag;

/** The per-tenant secret store in the running hub: namespaces, encryption at rest, the admin API, the logs. */
@Tag("contract")
@ExtendWith(OutputCaptureExtension.class)
class TenantSecretsTest extends HubTest {

    @Autowired
    TenantSecrets secrets;

    @Autowired
    LoggingSystem loggingSystem;

    private static String secretValue() {
        return "s3cr3t-" + UUID.randomUUID();
    }

    private String ciphertext(TenantId tenant, String name) {
        return storedRows().sql("SELECT ciphertext FROM tenant_secrets WHERE tenant_id = :t AND name = :n")
                .param("t", tenant.value()).param("n", name).query(String.class).single();
    }

    @Test
    void putAndReadRoundTrip() {
        TenantId acme = TenantId.of(newTenant("acme"));
        String value = "p@ss wörd 🚀 " + secretValue();

        secrets.put(acme, "gmail-oauth", value);
        assertThat(secrets.read(acme, "gmail-oauth")).contains(value);

        String replaced = secretValue();
        secrets.put(acme, "gmail-oauth", replaced);
        assertThat(secrets.read(acme, "gmail-oauth")).contains(replaced);
        assertThat(secrets.list(acme)).extracting(SecretInfo::name).containsExactly("gmail-oauth");
        assertThat(secrets.read(acme, "never-set")).isEmpty();
    }

    @Test
    void anotherTenantReadingTheSameNameGetsNothing() {
        TenantId acme = TenantId.of(newTenant("acme"));
        TenantId globex = TenantId.of(newTenant("globex"));
        secrets.put(acme, "messenger-app-secret", secretValue());

        assertThat(secrets.read(globex, "messenger-app-secret")).isEmpty();
        assertThat(secrets.list(globex)).isEmpty();
    }

    @Test
    void ciphertextAtRestDoesNotContainThePlaintext() {
        TenantId acme = TenantId.of(newTenant("acme"));
        String value = secretValue();
        secrets.put(acme, "api-token", value);

        String stored = ciphertext(acme, "api-token");

        assertThat(stored).isNotBlank()
                .doesNotContain(value)
                .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(Base64.getDecoder().decode(stored), StandardCharsets.ISO_8859_1)).doesNotContain(value);
        // a fresh nonce each time: the same value never gives the same ciphertext
        secrets.put(acme, "api-token", value);
        assertThat(ciphertext(acme, "api-token")).isNotEqualTo(stored);
    }

    @Test
    void ciphertextMovedToAnotherTenantOrNameDoesNotDecrypt() {
        TenantId acme = TenantId.of(newTenant("acme"));
        TenantId globex = TenantId.of(newTenant("globex"));
        String value = secretValue();
        secrets.put(acme, "shared-name", value);
        secrets.put(globex, "shared-name", secretValue());
        secrets.put(acme, "other-name", secretValue());
        String acmeCiphertext = ciphertext(acme, "shared-name");

        storedRows().sql("UPDATE tenant_secrets SET ciphertext = :c WHERE tenant_id = :t AND name = 'shared-name'")
                .param("c", acmeCiphertext).param("t", globex.value()).update();
        storedRows().sql("UPDATE tenant_secrets SET ciphertext = :c WHERE tenant_id = :t AND name = 'other-name'")
                .param("c", acmeCiphertext).param("t", acme.value()).update();

        assertThatThrownBy(() -> secrets.read(globex, "shared-name"))
                .isInstanceOf(SecretUnreadableException.class)
                .hasMessageContaining("tenants/" + globex.value() + "/shared-name")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value).doesNotContain(acmeCiphertext));
        assertThatThrownBy(() -> secrets.read(acme, "other-name"))
                .isInstanceOf(SecretUnreadableException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(value));
        // the original stays readable where it belongs
        assertThat(secrets.read(acme, "shared-name")).contains(value);
    }

    @Test
    void tamperedCiphertextDoesNotDecrypt() {
        TenantId acme = TenantId.of(newTenant("acme"));
        secrets.put(acme, "api-token", secretValue());
        byte[] raw = Base64.getDecoder().decode(ciphertext(acme, "api-token"));
        raw[raw.length - 1] ^= 1;
        storedRows().sql("UPDATE tenant_secrets SET ciphertext = :c WHERE tenant_id = :t AND name = 'api-token'")
                .param("c", Base64.getEncoder().encodeToString(raw)).param("t", acme.value()).update();

        assertThatThrownBy(() -> secrets.read(acme, "api-token")).isInstanceOf(SecretUnreadableException.class);
    }

    @Test
    void adminApiStoresWithNoContentAndListsNamesAndDatesButNeverValues() {
        String acme = newTenant("acme");
        String other = newTenant("other");
        String first = secretValue();
        String second = secretValue();
        Instant before = Instant.now().minusSeconds(1);

        HubClient.Response put1 = hub.putJson("/admin/v1/tenants/" + acme + "/secrets/messenger-app-secret",
                ADMIN_TOKEN, "{\"value\":" + quote(first) + "}");
        HubClient.Response put2 = hub.putJson("/admin/v1/tenants/" + acme + "/secrets/gmail-oauth",
                ADMIN_TOKEN, "{\"value\":" + quote(second) + "}");
        assertThat(put1.status()).as(put1.text()).isEqualTo(204);
        assertThat(put1.text()).isEmpty();
        assertThat(put2.status()).as(put2.text()).isEqualTo(204);
        assertThat(secrets.read(TenantId.of(acme), "messenger-app-secret")).contains(first);

        HubClient.Response listed = hub.get("/admin/v1/tenants/" + acme + "/secrets", ADMIN_TOKEN);
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        assertThat(listed.text()).doesNotContain(first).doesNotContain(second)
                .doesNotContain(ciphertext(TenantId.of(acme), "gmail-oauth"));
        JsonNode items = listed.json().get("items");
        assertThat(items).hasSize(2);
        List<String> names = new ArrayList<>();
        for (JsonNode item : items) {
            List<String> fields = new ArrayList<>();
            item.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactlyInAnyOrder("name", "updatedAt");
            Instant updatedAt = Instant.parse(item.get("updatedAt").asText());
            assertThat(updatedAt).isAfter(before).isBefore(Instant.now().plusSeconds(1));
            names.add(item.get("name").asText());
        }
        assertThat(names).containsExactly("gmail-oauth", "messenger-app-secret");

        HubClient.Response otherList = hub.get("/admin/v1/tenants/" + other + "/secrets", ADMIN_TOKEN);
        assertThat(otherList.status()).isEqualTo(200);
        assertThat(otherList.json().get("items")).isEmpty();
    }

    @Test
    void adminSecretsApiNeedsTheAdminToken() {
        String acme = newTenant("acme");
        String key = newKey(acme);

        assertThat(hub.putJson("/admin/v1/tenants/" + acme + "/secrets/x", null, "{\"value\":\"v\"}").status())
                .isEqualTo(401);
        assertThat(hub.get("/admin/v1/tenants/" + acme + "/secrets", key).status()).isEqualTo(403);
        assertThat(secrets.list(TenantId.of(acme))).isEmpty();
    }

    @Test
    void secretValuesAndApiKeysNeverReachTheLogsEvenAtDebugLevel(CapturedOutput output) {
        Map<String, LogLevel> verbose = Map.of("io.caravan", LogLevel.TRACE, "org.springframework.web", LogLevel.DEBUG,
                "org.springframework.jdbc", LogLevel.TRACE, "org.apache.camel", LogLevel.DEBUG);
        verbose.forEach(loggingSystem::setLogLevel);
        String marker = "capture-check-" + UUID.randomUUID();
        String value = secretValue();
        String rejectedValue = secretValue();
        String apiKey;
        try {
            LoggerFactory.getLogger(TenantSecretsTest.class).info(marker);
            String acme = newTenant("acme");
            TenantId tenant = TenantId.of(acme);
            apiKey = newKey(acme); // an API key is shown once and must not be logged either

            assertThat(hub.putJson("/admin/v1/tenants/" + acme + "/secrets/app-secret", ADMIN_TOKEN,
                    "{\"value\":" + quote(value) + "}").status()).isEqualTo(204);
            assertThat(hub.get("/admin/v1/tenants/" + acme + "/secrets", ADMIN_TOKEN).status()).isEqualTo(200);
            // rejected requests must not echo the value either
            assertThat(hub.putJson("/admin/v1/tenants/" + acme + "/secrets/bad%20name", ADMIN_TOKEN,
                    "{\"value\":" + quote(rejectedValue) + "}").status()).isEqualTo(400);
            assertThat(hub.putJson("/admin/v1/tenants/" + acme + "/secrets/app-secret", ADMIN_TOKEN,
                    "{\"value\":" + quote(rejectedValue) + ",\"unknown\":1}").status()).isEqualTo(400);
            assertThat(secrets.read(tenant, "app-secret")).contains(value);
            storedRows().sql("UPDATE tenant_secrets SET ciphertext = :c WHERE tenant_id = :t AND name = 'app-secret'")
                    .param("c", Base64.getEncoder().encodeToString(new byte[40])).param("t", acme).update();
            assertThatThrownBy(() -> secrets.read(tenant, "app-secret")).isInstanceOf(SecretUnreadableException.class);
        } finally {
            verbose.keySet().forEach(logger -> loggingSystem.setLogLevel(logger, null));
        }

        assertThat(output.getAll()).as("the capture sees the application's logs").contains(marker);
        assertThat(output.getAll()).doesNotContain(value).doesNotContain(rejectedValue).doesNotContain(apiKey);
    }

    @Test
    void everyCallWithoutTenantThrows() {
        assertThatThrownBy(() -> secrets.put(null, "name", "value")).isInstanceOf(MissingTenantException.class);
        assertThatThrownBy(() -> secrets.read(null, "name")).isInstanceOf(MissingTenantException.class);
        assertThatThrownBy(() -> secrets.list(null)).isInstanceOf(MissingTenantException.class);
        assertThatThrownBy(() -> secrets.deleteAll(null)).isInstanceOf(MissingTenantException.class);
        assertThat(storedRows().sql("SELECT COUNT(*) FROM tenant_secrets WHERE name = 'name'").query(Integer.class).single())
                .isZero();
    }

    @Test
    void invalidNamesAreRefused() {
        TenantId acme = TenantId.of(newTenant("acme"));
        for (String name : new String[] {null, "", "../other/x", "a/b", "has space", "-leading", "x".repeat(101)}) {
            assertThatThrownBy(() -> secrets.put(acme, name, "v")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(secrets.list(acme)).isEmpty();
    }
}
