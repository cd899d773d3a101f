package io.caravan.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.support.HubTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The cached tenant config (ingestion's, the query's) never outlives a change made through the hub, and never
 * outlives the tenant's incarnation when the versions read notices one.
 */
class TenantConfigCacheTest extends HubTest {

    @Autowired
    TenantRegistry tenants;

    @Test
    void aConfigChangeIsSeenAtOnce() {
        TenantId tenant = TenantId.of(newTenant("cfg-cache"));
        assertThat(tenants.config(tenant).limits().ingestDocumentsPerSecond()).isNull(); // now cached

        assertThat(hub.putJson("/admin/v1/tenants/" + tenant.value() + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"ingestDocumentsPerSecond\":7}}").status()).isEqualTo(200);

        assertThat(tenants.config(tenant).limits().ingestDocumentsPerSecond()).isEqualTo(7);
    }

    @Test
    void aChangeByAnotherReplicaIsSeenWithinTheTtl() {
        TenantId tenant = TenantId.of(newTenant("cfg-replica"));
        assertThat(tenants.config(tenant).limits().maxChunksPerDocument()).isNull();

        // another hub sharing the database writes the row directly
        storedRows().sql("UPDATE tenants SET config_json = :json, config_version = config_version + 1 WHERE id = :id")
                .param("json", "{\"limits\":{\"maxChunksPerDocument\":3}}").param("id", tenant.value()).update();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> Integer.valueOf(3).equals(tenants.config(tenant).limits().maxChunksPerDocument()));
    }

    @Test
    void aDeletedTenantHasNoCachedConfig() {
        TenantId tenant = TenantId.of(newTenant("cfg-deleted"));
        assertThat(hub.putJson("/admin/v1/tenants/" + tenant.value() + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"maxDocumentBytes\":1000}}").status()).isEqualTo(200);
        assertThat(tenants.config(tenant).limits().maxDocumentBytes()).isEqualTo(1000L);

        assertThat(hub.delete("/admin/v1/tenants/" + tenant.value(), ADMIN_TOKEN).status()).isEqualTo(200);
        assertThatThrownBy(() -> tenants.config(tenant)).isInstanceOf(TenantNotFoundException.class);

        assertThat(hub.postJson("/admin/v1/tenants", ADMIN_TOKEN, "{\"id\":\"" + tenant.value() + "\"}").status())
                .isEqualTo(201);
        assertThat(tenants.config(tenant).limits().maxDocumentBytes()).isNull();
    }

    @Test
    void theVersionsReadOfATenantCreatedAgainByAnotherReplicaIsNotGivenTheConfigOfTheOneErased() {
        TenantId tenant = TenantId.of(newTenant("cfg-again"));
        assertThat(hub.putJson("/admin/v1/tenants/" + tenant.value() + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"maxDocumentBytes\":1000}}").status()).isEqualTo(200);
        TenantRegistry.QueryView before = tenants.queryView(tenant); // cached at config version 2
        assertThat(before.config().limits().maxDocumentBytes()).isEqualTo(1000L);

        // another replica erased the tenant and created it again, and its config reached version 2 again: only
        // the creation time tells the two apart
        storedRows().sql("UPDATE tenants SET config_json = :json, created_at = :created WHERE id = :id")
                .param("json", "{}")
                .param("created", java.time.OffsetDateTime.ofInstant(before.corpus().tenantCreatedAt().plusSeconds(60),
                        java.time.ZoneOffset.UTC))
                .param("id", tenant.value()).update();

        TenantRegistry.QueryView after = tenants.queryView(tenant);
        assertThat(after.configVersion()).isEqualTo(before.configVersion());
        assertThat(after.config().limits().maxDocumentBytes()).isNull();
        // and the versions read replaced the cached config the next query's rate limit reads
        assertThat(tenants.cachedConfig(tenant).limits().maxDocumentBytes()).isNull();
    }
}
