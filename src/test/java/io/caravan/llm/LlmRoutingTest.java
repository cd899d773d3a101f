package io.caravan.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The LLM router against emulated providers: one WireMock server on a loopback port speaks the OpenAI chat
 * completions API (as {@code primary} and {@code backup}) and the Anthropic Messages API (as {@code claude} and
 * {@code keyless}). Stubs only answer requests in the format LangChain4j must send (model, max tokens, keys,
 * messages), so a format drift fails here. Each test uses fresh tenants and a marker word in its questions
 * that selects the emulator's misbehaviour, so tests do not depend on each other.
 */
class LlmRoutingTest extends HubTest {

    static final WireMockServer LLM = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
            .containerThreads(80));
    static final String PRIMARY = "/primary/v1/chat/completions";
    static final String BACKUP = "/backup/v1/chat/completions";
    static final String CLAUDE = "/claude/v1/messages";
    static final String KEYLESS = "/keyless/v1/messages";
    static final int BREAKER_WINDOW = 4;
    static final int TIMEOUT_MS = 2000;
    static final int SLOW_MS = 5000;
    /** Whether this JVM's hub has made its first provider calls (class loading would eat into the timeout). */
    static final AtomicBoolean WARMED_UP = new AtomicBoolean();

    static {
        LLM.start();
        stubProviders();
    }

    @Autowired
    UsageRecorder usage;

    @DynamicPropertySource
    static void llmProperties(DynamicPropertyRegistry registry) {
        // a context of its own (other providers): its own data dir too, so two hubs never share files
        Path dataDir = tempDir();
        registry.add("caravan.data-dir", dataDir::toString);
        String base = "http://127.0.0.1:" + LLM.port();
        provider(registry, "primary", "openai", base + "/primary/v1", "gpt-test", "platform-primary-key");
        provider(registry, "backup", "openai", base + "/backup/v1", "backup-model", "platform-backup-key");
        provider(registry, "claude", "anthropic", base + "/claude/v1", "claude-test", "platform-claude-key");
        provider(registry, "keyless", "anthropic", base + "/keyless/v1", "claude-own", null);
        registry.add("caravan.llm.routes.standard", () -> "primary,backup,extractive");
        registry.add("caravan.llm.routes.critical", () -> "claude,primary");
        registry.add("caravan.llm.routes.internal-test", () -> "keyless,extractive");
        registry.add("caravan.llm.breaker.sliding-window-size", () -> BREAKER_WINDOW);
        registry.add("caravan.llm.breaker.minimum-number-of-calls", () -> BREAKER_WINDOW);
        registry.add("caravan.llm.breaker.wait-in-open", () -> "1h");
        registry.add("caravan.llm.bulkhead-wait", () -> "0ms");
    }

    private static void provider(DynamicPropertyRegistry registry, String name, String type, String baseUrl,
                                 String model, String apiKey) {
        String prefix = "caravan.llm.providers." + name + ".";
        registry.add(prefix + "type", () -> type);
        registry.add(prefix + "base-url", () -> baseUrl);
        registry.add(prefix + "model", () -> model);
        registry.add(prefix + "timeout", () -> TIMEOUT_MS + "ms");
        registry.add(prefix + "max-tokens", () -> 64);
        if (apiKey != null) {
            registry.add(prefix + "api-key", () -> apiKey);
        }
    }

    @BeforeEach
    void warmUp() {
        if (WARMED_UP.compareAndSet(false, true)) {
            String key = newKey(newTenant("llm-warm"));
            hub.postJson("/api/v1/query", key, "{\"question\":\"Warm up plain-ok\"}");
            hub.postJson("/api/v1/query", key, "{\"question\":\"Warm up plain-ok\",\"criticality\":\"critical\"}");
        }
    }

    @AfterAll
    static void stopEmulator() {
        LLM.stop();
    }

    // ---- answers and fallback ----------------------------------------------------------------------------

    @Test
    void thePrimaryAnswersWithItsModelUsageAndTheTenantsPromptAndPassages() {
        String tenant = newTenant("llm-ok");
        String key = newKey(tenant);
        putConfig(tenant, "{\"systemPrompt\":\"You answer for Acme's support desk.\"}");
        String doc = addText(key, "Refund policy", "Acme refunds every purchase within 14 days of the return.");
        awaitStatus(key, doc, "indexed");

        JsonNode answer = ask(key, "How long do refunds take? plain-ok");

        assertThat(answer.path("answer").asText()).isEqualTo("primary answer from gpt-test");
        assertThat(answer.path("provider").asText()).isEqualTo("primary");
        assertThat(answer.path("model").asText()).isEqualTo("gpt-test");
        assertThat(answer.path("usage").path("promptTokens").asInt()).isEqualTo(21);
        assertThat(answer.path("usage").path("completionTokens").asInt()).isEqualTo(9);
        assertThat(answer.path("citations").get(0).path("documentId").asText()).isEqualTo(doc);
        assertThat(answer.path("route").path("criticality").asText()).isEqualTo("standard");
        assertThat(attempts(answer)).containsExactly("primary/gpt-test/ok");

        // the request LangChain4j sent: the tenant's system prompt, the numbered passage with its title, the question
        List<JsonNode> sent = requestBodies(postRequestedFor(urlEqualTo(PRIMARY))
                .withRequestBody(containing("How long do refunds take? plain-ok")));
        assertThat(sent).hasSize(1);
        JsonNode messages = sent.get(0).path("messages");
        assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).path("content").asText()).isEqualTo("You answer for Acme's support desk.");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(1).path("content").asText())
                .contains("[1] Refund policy\nAcme refunds every purchase within 14 days")
                .endsWith("Question: How long do refunds take? plain-ok");

        // the usage ledger's call site saw exactly this call
        assertThat(usage.events()).filteredOn(e -> e.tenant().value().equals(tenant)).singleElement()
                .satisfies(e -> {
                    assertThat(e.provider()).isEqualTo("primary");
                    assertThat(e.providerType()).isEqualTo("openai");
                    assertThat(e.model()).isEqualTo("gpt-test");
                    assertThat(e.promptTokens()).isEqualTo(21);
                    assertThat(e.completionTokens()).isEqualTo(9);
                    assertThat(e.requestId()).isNotBlank();
                });
        // the budget counts the provider-reported tokens, nothing stays reserved
        HubClient.Response budget = hub.get("/api/v1/budget", key);
        assertThat(budget.json().path("llmTokensToday").asLong()).isEqualTo(30);
        assertThat(budget.json().path("llmTokensReserved").asLong()).isZero();
        assertThat(scrape()).containsPattern(metric("rag_llm_requests_total", tenant, "primary", "outcome=\"ok\""));
    }

    @ParameterizedTest(name = "primary {0} -> {1}")
    @CsvSource({"fail-500, error", "fail-429, error", "fail-json, error", "fail-slow, timeout"})
    void whenThePrimaryFailsTheBackupAnswersAndBothAttemptsAreReported(String marker, String outcome) {
        String key = newKey(newTenant("llm-fallback"));

        JsonNode answer = ask(key, "What are the opening hours? " + marker);

        assertThat(answer.path("provider").asText()).isEqualTo("backup");
        assertThat(answer.path("model").asText()).isEqualTo("backup-model");
        assertThat(answer.path("answer").asText()).isEqualTo("backup answer from backup-model");
        assertThat(answer.path("usage").path("promptTokens").asInt()).isEqualTo(30);
        assertThat(answer.path("usage").path("completionTokens").asInt()).isEqualTo(12);
        assertThat(attempts(answer)).containsExactly("primary/gpt-test/" + outcome, "backup/backup-model/ok");
        long primaryLatency = answer.path("route").path("attempts").get(0).path("latencyMs").asLong();
        if (outcome.equals("timeout")) {
            // the provider's timeout, not the emulator's delay
            assertThat(primaryLatency).isBetween(TIMEOUT_MS - 100L, SLOW_MS - 100L);
        }
        // one request per attempt: LangChain4j's own retries are off
        assertThat(LLM.countRequestsMatching(postRequestedFor(urlEqualTo(PRIMARY))
                .withRequestBody(containing("What are the opening hours? " + marker)).build()).getCount())
                .isEqualTo(1);
    }

    @Test
    void anthropicAnswersAsThePrimaryOfTheCriticalRoute() {
        String key = newKey(newTenant("llm-claude"));

        JsonNode answer = ask(key, "{\"question\":\"Who signs contracts? plain-ok\",\"criticality\":\"critical\"}", 200);

        assertThat(answer.path("provider").asText()).isEqualTo("claude");
        assertThat(answer.path("model").asText()).isEqualTo("claude-test");
        assertThat(answer.path("answer").asText()).isEqualTo("claude answer from claude-test");
        assertThat(answer.path("usage").path("promptTokens").asInt()).isEqualTo(42);
        assertThat(answer.path("usage").path("completionTokens").asInt()).isEqualTo(7);
        assertThat(answer.path("route").path("criticality").asText()).isEqualTo("critical");
        assertThat(attempts(answer)).containsExactly("claude/claude-test/ok");
    }

    @Test
    void everyProviderOfARouteWithoutExtractiveFailingIs503() {
        String key = newKey(newTenant("llm-down"));

        HubClient.Response response = hub.postJson("/api/v1/query", key,
                "{\"question\":\"Anything? fail-all\",\"criticality\":\"critical\"}");

        assertThat(response.status()).as(response.text()).isEqualTo(503);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.code()).isEqualTo("upstream_unavailable");
        assertThat(response.field("detail")).contains("claude: error", "primary: error");
    }

    // ---- criticality, determinism ------------------------------------------------------------------------

    @Test
    void theCriticalityPicksTheChain() {
        String tenant = newTenant("llm-levels");
        String key = newKey(tenant);

        assertThat(attempts(ask(key, "{\"question\":\"Level one? plain-ok\",\"criticality\":\"standard\"}", 200)))
                .containsExactly("primary/gpt-test/ok");
        assertThat(attempts(ask(key, "{\"question\":\"Level two? plain-ok\",\"criticality\":\"critical\"}", 200)))
                .containsExactly("claude/claude-test/ok");
        // internal-test: an Anthropic provider without a platform key is skipped for a tenant without its own key
        JsonNode internal = ask(key, "{\"question\":\"Level three? plain-ok\",\"criticality\":\"internal-test\"}", 200);
        assertThat(attempts(internal)).containsExactly("keyless/claude-own/skipped", "extractive/extractive/ok");
        assertThat(internal.path("provider").asText()).isEqualTo("extractive");
        // no criticality in the request: the tenant's default, else standard
        assertThat(attempts(ask(key, "Level four? plain-ok"))).containsExactly("primary/gpt-test/ok");
        putConfig(tenant, "{\"routing\":{\"defaultCriticality\":\"critical\"}}");
        JsonNode byDefault = ask(key, "Level five? plain-ok");
        assertThat(byDefault.path("route").path("criticality").asText()).isEqualTo("critical");
        assertThat(attempts(byDefault)).containsExactly("claude/claude-test/ok");
    }

    @Test
    void aTenantsOwnAnthropicKeyIsUsedForThatTenantOnly() {
        String owner = newTenant("llm-ownkey");
        String ownerKey = newKey(owner);
        putSecret(owner, "llm-keyless-api-key", "tenant-own-claude-key");

        JsonNode answer = ask(ownerKey, "{\"question\":\"Own key? plain-ok\",\"criticality\":\"internal-test\"}", 200);

        assertThat(attempts(answer)).containsExactly("keyless/claude-own/ok");
        assertThat(answer.path("answer").asText()).isEqualTo("keyless answer from claude-own");
        assertThat(attempts(ask(newKey(newTenant("llm-nokey")),
                "{\"question\":\"Own key? plain-ok\",\"criticality\":\"internal-test\"}", 200)))
                .containsExactly("keyless/claude-own/skipped", "extractive/extractive/ok");
    }

    @Test
    void theSameInputsTakeTheSameRoute() {
        String key = newKey(newTenant("llm-same"));
        // a failed-over answer is not cached, so every repetition is routed again
        List<List<String>> routes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            routes.add(attempts(ask(key, "Is the route stable? fail-500")));
        }
        assertThat(routes).containsOnly(List.of("primary/gpt-test/error", "backup/backup-model/ok"));
        // two tenants with the same configuration, same question: same route
        assertThat(attempts(ask(newKey(newTenant("llm-same-a")), "Same for all? plain-ok")))
                .isEqualTo(attempts(ask(newKey(newTenant("llm-same-b")), "Same for all? plain-ok")))
                .containsExactly("primary/gpt-test/ok");
    }

    // ---- per-tenant circuit breakers ---------------------------------------------------------------------

    @Test
    void aTenantsRejectedOwnKeyOpensOnlyThatTenantsBreaker() {
        String tenantA = newTenant("llm-own-a");
        String tenantB = newTenant("llm-own-b");
        String keyA = newKey(tenantA);
        String keyB = newKey(tenantB);
        putSecret(tenantA, "llm-primary-api-key", "tenant-a-bad-key");
        RequestPatternBuilder withAsKey = postRequestedFor(urlEqualTo(PRIMARY))
                .withHeader("Authorization", equalTo("Bearer tenant-a-bad-key"));

        for (int i = 0; i < BREAKER_WINDOW; i++) {
            assertThat(attempts(ask(keyA, "Question A" + i + " plain-ok")))
                    .containsExactly("primary/gpt-test/error", "backup/backup-model/ok");
            assertThat(attempts(ask(keyB, "Question B" + i + " plain-ok"))).containsExactly("primary/gpt-test/ok");
        }
        assertThat(LLM.countRequestsMatching(withAsKey.build()).getCount()).isEqualTo(BREAKER_WINDOW);

        for (int i = BREAKER_WINDOW; i < BREAKER_WINDOW + 3; i++) {
            JsonNode answerA = ask(keyA, "Question A" + i + " plain-ok");
            assertThat(attempts(answerA)).containsExactly("primary/gpt-test/circuit_open", "backup/backup-model/ok");
            assertThat(answerA.path("provider").asText()).isEqualTo("backup");
            JsonNode answerB = ask(keyB, "Question B" + i + " plain-ok");
            assertThat(attempts(answerB)).containsExactly("primary/gpt-test/ok");
        }
        // no request with A's key reached the provider once A's breaker was open
        assertThat(LLM.countRequestsMatching(withAsKey.build()).getCount()).isEqualTo(BREAKER_WINDOW);
        // B never used A's key, and A never used the platform key
        assertThat(requestBodies(postRequestedFor(urlEqualTo(PRIMARY))
                .withHeader("Authorization", equalTo("Bearer tenant-a-bad-key"))
                .withRequestBody(containing("Question B")))).isEmpty();
        assertThat(requestBodies(postRequestedFor(urlEqualTo(PRIMARY))
                .withHeader("Authorization", equalTo("Bearer platform-primary-key"))
                .withRequestBody(containing("Question A")))).isEmpty();

        String scrape = scrape();
        assertThat(scrape).containsPattern(metric("rag_circuit_breaker_state", tenantA, "primary", null) + " 1\\.0");
        assertThat(scrape).containsPattern(metric("rag_circuit_breaker_state", tenantB, "primary", null) + " 0\\.0");
        assertThat(counter(scrape, tenantA, "primary", "circuit_open")).isEqualTo(3);
        assertThat(counter(scrape, tenantA, "primary", "error")).isEqualTo(BREAKER_WINDOW);
        assertThat(counter(scrape, tenantB, "primary", "ok")).isEqualTo(BREAKER_WINDOW + 3);
    }

    // ---- daily LLM budget --------------------------------------------------------------------------------

    @Test
    void fiftyConcurrentQueriesNeverTakeTheDayPastTheBudgetAndTheRestAre429() throws Exception {
        String tenant = newTenant("llm-budget");
        String key = newKey(tenant);
        long limit = 1000;
        putConfig(tenant, "{\"budgets\":{\"llmTokensPerDay\":" + limit + "}}");
        int requests = 50;

        AtomicBoolean done = new AtomicBoolean();
        AtomicLong peak = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(requests + 1);
        try {
            // samples used + reserved while the burst runs: the reservations are conditional, so it never passes
            Future<?> sampler = pool.submit(() -> {
                while (!done.get()) {
                    JsonNode budget = hub.get("/api/v1/budget", key).json();
                    peak.accumulateAndGet(budget.path("llmTokensToday").asLong()
                            + budget.path("llmTokensReserved").asLong(), Math::max);
                }
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HubClient.Response>> calls = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String body = "{\"question\":\"Budget burst number " + i + " budget-burst\"}";
                calls.add(pool.submit(() -> {
                    start.await();
                    return hub.postJson("/api/v1/query", key, body);
                }));
            }
            start.countDown();
            int ok = 0;
            int exhausted = 0;
            for (Future<HubClient.Response> call : calls) {
                HubClient.Response response = call.get(120, TimeUnit.SECONDS);
                if (response.status() == 200) {
                    ok++;
                    assertThat(attempts(response.json())).containsExactly("primary/gpt-test/ok");
                } else {
                    assertThat(response.status()).as(response.text()).isEqualTo(429);
                    assertThat(response.contentType()).startsWith("application/problem+json");
                    assertThat(response.code()).isEqualTo("budget_exhausted");
                    exhausted++;
                }
            }
            done.set(true);
            sampler.get(30, TimeUnit.SECONDS);

            // every call reports 100 + 60 tokens and reserves more than that, so at most limit / 160 calls fit
            assertThat(ok).isBetween(1, (int) (limit / 160));
            assertThat(exhausted).isEqualTo(requests - ok);
            JsonNode budget = hub.get("/api/v1/budget", key).json();
            assertThat(budget.path("llmTokensToday").asLong()).isEqualTo(ok * 160L).isLessThanOrEqualTo(limit);
            assertThat(budget.path("llmTokensReserved").asLong()).isZero();
            assertThat(peak.get()).isPositive().isLessThanOrEqualTo(limit);
            // a refused reservation never reaches the provider
            assertThat(LLM.countRequestsMatching(postRequestedFor(urlEqualTo(PRIMARY))
                    .withRequestBody(containing("budget-burst")).build()).getCount()).isEqualTo(ok);
            assertThat(counter(scrape(), tenant, "primary", "budget_exhausted")).isEqualTo(exhausted);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
    }

    @Test
    void theUsageReportEqualsTheSumOfTheProviderReportedUsage() {
        String tenant = newTenant("llm-usage");
        String key = newKey(tenant);
        for (int i = 0; i < 3; i++) {
            HubClient.Response response = hub.postJson("/api/v1/query", key, "{\"question\":\"Usage " + i + "\"}");
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            assertThat(response.field("provider")).isEqualTo("primary");
        }
        await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode rows = hub.get("/api/v1/usage?groupBy=model", key).json().get("rows");
            JsonNode chat = null;
            for (JsonNode row : rows) {
                if ("chat".equals(row.get("kind").asText())) {
                    chat = row;
                }
            }
            assertThat(chat).as(rows.toString()).isNotNull();
            assertThat(chat.get("model").asText()).isEqualTo("gpt-test");
            assertThat(chat.get("requests").asLong()).isEqualTo(3);
            assertThat(chat.get("promptTokens").asLong()).isEqualTo(3 * 21);
            assertThat(chat.get("completionTokens").asLong()).isEqualTo(3 * 9);
            assertThat(chat.get("totalTokens").asLong()).isEqualTo(3 * 30);
        });
        assertThat(scrape()).contains("rag_llm_tokens_total{application=\"caravan\",kind=\"prompt\","
                + "llm_provider=\"primary\",model=\"gpt-test\",tenant_id=\"" + tenant + "\"} 63.0");
    }

    @Test
    void aTenantsConcurrentLlmCallsAreCappedWithoutTouchingOtherTenants() throws Exception {
        String tenant = newTenant("llm-bulkhead");
        String key = newKey(tenant);
        String otherKey = newKey(newTenant("llm-free"));
        putConfig(tenant, "{\"limits\":{\"maxConcurrentLlmCalls\":1}}");
        int requests = 6;
        ExecutorService pool = Executors.newFixedThreadPool(requests + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HubClient.Response>> calls = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String body = "{\"question\":\"Concurrent call " + i + " budget-burst\"}";
                calls.add(pool.submit(() -> {
                    start.await();
                    return hub.postJson("/api/v1/query", key, body);
                }));
            }
            Future<HubClient.Response> other = pool.submit(() -> {
                start.await();
                return hub.postJson("/api/v1/query", otherKey, "{\"question\":\"Other tenant budget-burst\"}");
            });
            start.countDown();
            int ok = 0;
            int limited = 0;
            for (Future<HubClient.Response> call : calls) {
                HubClient.Response response = call.get(60, TimeUnit.SECONDS);
                if (response.status() == 200) {
                    ok++;
                } else {
                    assertThat(response.status()).as(response.text()).isEqualTo(429);
                    assertThat(response.code()).isEqualTo("rate_limited");
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                    limited++;
                }
            }
            assertThat(ok).isGreaterThanOrEqualTo(1);
            assertThat(limited).as("calls refused while the tenant's one permit was taken").isGreaterThanOrEqualTo(1);
            assertThat(other.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anExhaustedBudgetRejectsByDefaultAndDegradesToExtractiveWhenConfigured() {
        String tenant = newTenant("llm-degrade");
        String key = newKey(tenant);
        // smaller than any reservation (max-tokens alone is 64)
        putConfig(tenant, "{\"budgets\":{\"llmTokensPerDay\":10}}");

        HubClient.Response rejected = hub.postJson("/api/v1/query", key, "{\"question\":\"Too dear? plain-ok\"}");
        assertThat(rejected.status()).as(rejected.text()).isEqualTo(429);
        assertThat(rejected.code()).isEqualTo("budget_exhausted");

        putConfig(tenant, "{\"budgets\":{\"llmTokensPerDay\":10},\"routing\":{\"onBudgetExhausted\":\"extractive\"}}");
        JsonNode degraded = ask(key, "Too dear? plain-ok");
        assertThat(degraded.path("provider").asText()).isEqualTo("extractive");
        assertThat(attempts(degraded)).containsExactly("primary/gpt-test/budget_exhausted",
                "backup/backup-model/skipped", "extractive/extractive/ok");
        // a route without extractive degrades to it as well
        JsonNode critical = ask(key, "{\"question\":\"Too dear? plain-ok\",\"criticality\":\"critical\"}", 200);
        assertThat(attempts(critical)).containsExactly("claude/claude-test/budget_exhausted",
                "primary/gpt-test/skipped", "extractive/extractive/ok");

        assertThat(LLM.countRequestsMatching(postRequestedFor(urlEqualTo(PRIMARY))
                .withRequestBody(containing("Too dear?")).build()).getCount()).isZero();
        JsonNode budget = hub.get("/api/v1/budget", key).json();
        assertThat(budget.path("llmTokensToday").asLong()).isZero();
        assertThat(budget.path("llmTokensReserved").asLong()).isZero();

        HubClient.Response invalid = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"routing\":{\"onBudgetExhausted\":\"shrug\"}}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.code()).isEqualTo("invalid_request");
    }

    // ---- the emulator ------------------------------------------------------------------------------------

    private static void stubProviders() {
        // defaults: answer only requests in the format each API expects
        LLM.stubFor(openAi(PRIMARY, "gpt-test").atPriority(10)
                .withHeader("Authorization", equalTo("Bearer platform-primary-key"))
                .willReturn(openAiReply("primary answer from gpt-test", 21, 9)));
        LLM.stubFor(openAi(BACKUP, "backup-model").atPriority(10)
                .withHeader("Authorization", equalTo("Bearer platform-backup-key"))
                .willReturn(openAiReply("backup answer from backup-model", 30, 12)));
        LLM.stubFor(anthropic(CLAUDE, "claude-test", "platform-claude-key").atPriority(10)
                .willReturn(anthropicReply("claude answer from claude-test", 42, 7)));
        LLM.stubFor(anthropic(KEYLESS, "claude-own", "tenant-own-claude-key").atPriority(10)
                .willReturn(anthropicReply("keyless answer from claude-own", 40, 5)));

        // misbehaviour selected by a marker in the question
        LLM.stubFor(post(urlEqualTo(PRIMARY)).atPriority(1).withRequestBody(containing("fail-500"))
                .willReturn(error(500, "server_error")));
        LLM.stubFor(post(urlEqualTo(PRIMARY)).atPriority(1).withRequestBody(containing("fail-429"))
                .willReturn(error(429, "rate_limit_exceeded")));
        LLM.stubFor(post(urlEqualTo(PRIMARY)).atPriority(1).withRequestBody(containing("fail-json"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"choices\": [ this is not json")));
        LLM.stubFor(post(urlEqualTo(PRIMARY)).atPriority(1).withRequestBody(containing("fail-slow"))
                .willReturn(openAiReply("too late", 21, 9).withFixedDelay(SLOW_MS)));
        LLM.stubFor(post(urlEqualTo(PRIMARY)).atPriority(1).withRequestBody(containing("fail-all"))
                .willReturn(error(500, "server_error")));
        LLM.stubFor(post(urlEqualTo(CLAUDE)).atPriority(1).withRequestBody(containing("fail-all"))
                .willReturn(error(500, "api_error")));
        LLM.stubFor(post(urlEqualTo(PRIMARY)).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer tenant-a-bad-key"))
                .willReturn(error(401, "invalid_api_key")));
        LLM.stubFor(openAi(PRIMARY, "gpt-test").atPriority(2).withRequestBody(containing("budget-burst"))
                .withHeader("Authorization", equalTo("Bearer platform-primary-key"))
                .willReturn(openAiReply("primary answer within budget", 100, 60).withFixedDelay(300)));
    }

    private static MappingBuilder openAi(String path, String model) {
        return post(urlEqualTo(path))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(model)))
                .withRequestBody(matchingJsonPath("$.max_tokens", equalTo("64")))
                .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("system")))
                .withRequestBody(matchingJsonPath("$.messages[1].role", equalTo("user")));
    }

    private static ResponseDefinitionBuilder openAiReply(String text, int promptTokens, int completionTokens) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1764300000,"model":"emulated",
                 "choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}"""
                .formatted(quote(text), promptTokens, completionTokens, promptTokens + completionTokens));
    }

    private static MappingBuilder anthropic(String path, String model, String apiKey) {
        return post(urlEqualTo(path))
                .withHeader("x-api-key", equalTo(apiKey))
                .withHeader("anthropic-version", equalTo("2023-06-01"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(model)))
                .withRequestBody(matchingJsonPath("$.max_tokens", equalTo("64")))
                .withRequestBody(matchingJsonPath("$.system"))
                .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("user")));
    }

    private static ResponseDefinitionBuilder anthropicReply(String text, int inputTokens, int outputTokens) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
                {"id":"msg_1","type":"message","role":"assistant","model":"emulated",
                 "content":[{"type":"text","text":%s}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":%d,"output_tokens":%d}}"""
                .formatted(quote(text), inputTokens, outputTokens));
    }

    private static ResponseDefinitionBuilder error(int status, String code) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"emulated failure\",\"type\":\"" + code + "\",\"code\":\""
                        + code + "\"}}");
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private JsonNode ask(String key, String question) {
        return ask(key, "{\"question\":" + quote(question) + "}", 200);
    }

    private JsonNode ask(String key, String body, int status) {
        HubClient.Response response = hub.postJson("/api/v1/query", key, body);
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        return response.json();
    }

    private void putConfig(String tenant, String config) {
        HubClient.Response response = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN, config);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void putSecret(String tenant, String name, String value) {
        HubClient.Response response = hub.putJson("/admin/v1/tenants/" + tenant + "/secrets/" + name, ADMIN_TOKEN,
                "{\"value\":" + quote(value) + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(204);
    }

    private static List<String> attempts(JsonNode answer) {
        return StreamSupport.stream(answer.path("route").path("attempts").spliterator(), false)
                .map(a -> a.path("provider").asText() + "/" + a.path("model").asText() + "/"
                        + a.path("outcome").asText())
                .toList();
    }

    private static List<JsonNode> requestBodies(RequestPatternBuilder pattern) {
        return LLM.findAll(pattern).stream().map(request -> {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(request.getBodyAsString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private String scrape() {
        return hub.get("/actuator/prometheus", null).text();
    }

    /** A Prometheus sample line of a meter for a tenant and provider (labels in any order). */
    private static String metric(String name, String tenant, String provider, String extraLabel) {
        String labels = "(?=[^}]*tenant_id=\"" + Pattern.quote(tenant) + "\")(?=[^}]*llm_provider=\"" + provider + "\")"
                + (extraLabel == null ? "" : "(?=[^}]*" + Pattern.quote(extraLabel) + ")");
        return "(?m)^" + name + "\\{" + labels + "[^}]*}";
    }

    private static long counter(String scrape, String tenant, String provider, String outcome) {
        Matcher matcher = Pattern.compile(metric("rag_llm_requests_total", tenant, provider,
                "outcome=\"" + outcome + "\"") + " (\\S+)").matcher(scrape);
        return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : 0;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("caravan-llm-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records what the usage ledger will be told. */
    static final class UsageRecorder implements ChatUsageListener {

        private final List<ChatUsage> events = new CopyOnWriteArrayList<>();

        @Override
        public void chatCompleted(ChatUsage usage) {
            events.add(usage);
        }

        List<ChatUsage> events() {
            return events;
        }
    }

    @TestConfiguration
    static class UsageRecording {

        @Bean
        UsageRecorder usageRecorder() {
            return new UsageRecorder();
        }
    }
}
