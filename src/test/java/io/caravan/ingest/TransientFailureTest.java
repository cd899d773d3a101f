package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doCallRealMethod;
import static org.mockito.Mockito.doThrow;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.embedding.TextEmbedder;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import io.caravan.vector.TenantVectorStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.junit.jupiter.api.Tag;

/**
 * Transient failures (the embedder or the store throwing) are redelivered with back-off before anything is
 * quarantined; a failure that persists ends in the quarantine with its stage, reason and attempt count.
 * The real beans are wrapped so that a test can make them fail on demand.
 */
@Tag("contract")
class TransientFailureTest extends HubTest {

    @MockitoSpyBean
    TextEmbedder embedder;

    @MockitoSpyBean
    TenantVectorStore store;

    @AfterEach
    void heal() {
        Mockito.reset(embedder, store);
    }

    @Test
    void anEmbedderThatFailsTwiceIsRetriedAndTheDocumentIndexed() {
        String key = newKey(newTenant("flaky"));
        doThrow(new IllegalStateException("model crashed"))
                .doThrow(new IllegalStateException("model crashed again"))
                .doCallRealMethod()
                .when(embedder).embedAllTokenized(anyList(), anyList());
        String documentId = addText(key, "Flaky", "Indexed on the third attempt.");
        awaitStatus(key, documentId, "indexed");
        assertThat(hub.get("/api/v1/quarantine", key).json().get("items")).isEmpty();
        assertThat(hub.get("/api/v1/budget", key).json().get("embeddingTokensReserved").asLong()).isZero();
    }

    @Test
    void anEmbedderThatKeepsFailingEndsInTheQuarantineAndARetryLaterSucceeds() {
        String key = newKey(newTenant("broken"));
        doThrow(new IllegalStateException("model unavailable")).when(embedder).embedAllTokenized(anyList(), anyList());
        String documentId = addText(key, "Broken", "The model is down while this arrives.");
        awaitStatus(key, documentId, "quarantined");
        JsonNode item = hub.get("/api/v1/quarantine", key).json().get("items").get(0);
        assertThat(item.get("stage").asText()).isEqualTo("embed");
        assertThat(item.get("reason").asText()).isEqualTo("embed_failed");
        assertThat(item.get("attempts").asInt()).isEqualTo(3);
        assertThat(item.get("error").asText()).contains("model unavailable");
        assertThat(hub.get("/api/v1/budget", key).json().get("embeddingTokensReserved").asLong()).isZero();

        doCallRealMethod().when(embedder).embedAllTokenized(anyList(), anyList());
        assertThat(hub.post("/api/v1/quarantine/" + item.get("id").asText() + "/retry", key).status()).isEqualTo(202);
        awaitStatus(key, documentId, "indexed");
    }

    @Test
    void aStoreThatKeepsFailingQuarantinesWithUpsertFailedAndOtherTenantsCarryOn() {
        String brokenTenant = newTenant("store-down");
        String brokenKey = newKey(brokenTenant);
        String otherKey = newKey(newTenant("store-up"));
        doThrow(new IllegalStateException("disk full")).when(store)
                .replaceDocument(eq(TenantId.of(brokenTenant)), any(), anyList());
        String failing = addText(brokenKey, "Unlucky", "Its tenant's store is failing.");
        String fine = addText(otherKey, "Lucky", "Another tenant is unaffected.");
        awaitStatus(otherKey, fine, "indexed");
        awaitStatus(brokenKey, failing, "quarantined");
        JsonNode item = hub.get("/api/v1/quarantine", brokenKey).json().get("items").get(0);
        assertThat(item.get("stage").asText()).isEqualTo("upsert");
        assertThat(item.get("reason").asText()).isEqualTo("upsert_failed");
        assertThat(item.get("attempts").asInt()).isEqualTo(3);
    }
}
