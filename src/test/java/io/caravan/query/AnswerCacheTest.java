package io.caravan.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Answers are cached per tenant, keyed by config and corpus version, and never shared between tenants. */
class AnswerCacheTest extends HubTest {

    private static final String QUESTION = "{\"question\":\"Which colour is the front door?\"}";

    @Test
    void aRepeatedQuestionIsServedFromTheTenantsCacheUntilItsCorpusOrConfigChanges() {
        String tenant = newTenant("cached");
        String key = newKey(tenant);
        awaitStatus(key, addText(key, "Door", "The front door is painted green."), "indexed");

        HubClient.Response asked = hub.postJson("/api/v1/query", key, QUESTION);
        JsonNode first = asked.json();
        assertThat(first.get("cacheHit").asBoolean()).isFalse();
        // a new question's embedding was started beside the versions read, and the route used it
        assertThat(embeddings(tenant, "early")).isEqualTo(1);
        assertThat(embeddings(tenant, "in_route")).isZero();
        // a small answer goes out in one piece with its length, not chunked
        assertThat(asked.headers().firstValue("Content-Length")).hasValue(Integer.toString(asked.text().getBytes(
                java.nio.charset.StandardCharsets.UTF_8).length));
        JsonNode second = ask(key, "{\"question\":\"  which COLOUR is the front   door? \"}");
        assertThat(second.get("cacheHit").asBoolean()).isTrue();
        assertThat(second.get("answer")).isEqualTo(first.get("answer"));
        assertThat(second.get("citations")).isEqualTo(first.get("citations"));
        assertThat(second.get("usage").get("promptTokens").asInt()).isZero();
        assertThat(embeddings(tenant, "early") + embeddings(tenant, "in_route")).as("a hit embeds nothing")
                .isEqualTo(1);
        assertThat(hub.get("/actuator/prometheus", null).text()).containsPattern(
                "rag_query_latency_seconds_count\\{[^}]*cache_hit=\"true\"[^}]*tenant_id=\"" + tenant + "\"} 1");

        // another criticality is another entry
        assertThat(ask(key, "{\"question\":\"Which colour is the front door?\",\"criticality\":\"critical\"}")
                .get("cacheHit").asBoolean()).isFalse();

        // a new document invalidates the tenant's entries
        String repainted = addText(key, "Repainted", "Since May the front door is painted blue.");
        awaitStatus(key, repainted, "indexed");
        assertThat(ask(key, QUESTION).get("cacheHit").asBoolean()).isFalse();
        // the cache held an answer of older versions: no early start, the route embedded the question
        assertThat(embeddings(tenant, "in_route")).isEqualTo(1);
        assertThat(ask(key, QUESTION).get("cacheHit").asBoolean()).isTrue();

        // so does a deletion, and a config change
        assertThat(hub.delete("/api/v1/documents/" + repainted, key).status()).isEqualTo(204);
        assertThat(ask(key, QUESTION).get("cacheHit").asBoolean()).isFalse();
        assertThat(hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"systemPrompt\":\"Be brief.\"}").status()).isEqualTo(200);
        assertThat(ask(key, QUESTION).get("cacheHit").asBoolean()).isFalse();
    }

    @Test
    void twoTenantsAskingTheSameQuestionNeverShareAnEntry() {
        String keyA = newKey(newTenant("cache-a"));
        String keyB = newKey(newTenant("cache-b"));
        awaitStatus(keyA, addText(keyA, "Door", "The front door of A is painted yellow."), "indexed");
        awaitStatus(keyB, addText(keyB, "Door", "The front door of B is painted purple."), "indexed");

        JsonNode a = ask(keyA, QUESTION);
        JsonNode b = ask(keyB, QUESTION);
        assertThat(b.get("cacheHit").asBoolean()).isFalse();
        assertThat(a.get("answer").asText()).contains("yellow");
        assertThat(b.get("answer").asText()).contains("purple").doesNotContain("yellow");
        assertThat(ask(keyB, QUESTION).get("answer").asText()).contains("purple");
        assertThat(ask(keyA, QUESTION).get("answer").asText()).contains("yellow");
    }

    @Test
    void queriesOverTheTenantsRateLimitGet429WithRetryAfterAndOtherTenantsCarryOn() {
        String limited = newTenant("limited");
        String key = newKey(limited);
        String other = newKey(newTenant("unlimited"));
        assertThat(hub.putJson("/admin/v1/tenants/" + limited + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"queriesPerMinute\":3}}").status()).isEqualTo(200);
        HubClient.Response last = null;
        int ok = 0;
        for (int i = 0; i < 5; i++) {
            // a new question each time: every query let through embeds exactly once
            last = hub.postJson("/api/v1/query", key, "{\"question\":\"Which colour is door " + i + "?\"}");
            ok += last.status() == 200 ? 1 : 0;
        }
        // a minute boundary during the loop may open a new window: at most 3 per window
        assertThat(ok).isBetween(3, 4);
        assertThat(embeddings(limited, "early") + embeddings(limited, "in_route"))
                .as("a query refused by the rate limit embeds nothing").isEqualTo(ok);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.code()).isEqualTo("rate_limited");
        long retryAfter = Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(hub.postJson("/api/v1/query", other, QUESTION).status()).isEqualTo(200);

        // another replica raises the limit: a refusal re-reads the config (1 s cache), so the tenant need not wait
        // for the next minute
        storedRows().sql("UPDATE tenants SET config_json = :json, config_version = config_version + 1 WHERE id = :id")
                .param("json", "{\"limits\":{\"queriesPerMinute\":1000}}").param("id", limited).update();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> hub.postJson("/api/v1/query", key, QUESTION).status() == 200);
    }

    /** The tenant's {@code rag_query_embeddings_total} with the label {@code started}; 0 when never written. */
    private double embeddings(String tenant, String started) {
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("rag_query_embeddings_total\\{[^}]*started=\""
                + started + "\"[^}]*tenant_id=\"" + tenant + "\"[^}]*} (\\S+)")
                .matcher(hub.get("/actuator/prometheus", null).text());
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    private JsonNode ask(String key, String body) {
        HubClient.Response response = hub.postJson("/api/v1/query", key, body);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }
}
