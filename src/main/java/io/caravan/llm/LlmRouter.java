package io.caravan.llm;

import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.usage.Budget;
import io.caravan.usage.BudgetExceededException;
import io.caravan.usage.TokenBudgets;
import io.caravan.vector.VectorMatch;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The LLM router (DESIGN.md §5). The criticality picks the provider chain; each provider is tried in order
 * until one answers. A remote provider's call is guarded by the tenant's circuit breaker for it and by the
 * tenant's daily token budget (reserve the estimated prompt plus the call's max completion tokens, commit
 * the reported usage, release on failure). Every attempt is reported and counted. No randomness: the same
 * inputs and breaker states give the same route.
 *
 * <p>Outcomes: {@code ok}; {@code error} (4xx/5xx, 429, unreadable or empty response); {@code timeout};
 * {@code circuit_open} (the breaker refused the call: nothing was sent); {@code budget_exhausted} (the
 * reservation did not fit); {@code skipped} (the provider cannot serve this tenant, e.g. no API key, or the
 * budget ran out earlier in the route and the tenant degrades to extractive). Providers after the one that
 * answered are not listed.
 */
@Component
public class LlmRouter {

    public static final String DEGRADE_TO_EXTRACTIVE = "extractive";
    private static final Logger LOG = LoggerFactory.getLogger(LlmRouter.class);

    private final LlmCatalog catalog;
    private final LlmBreakers breakers;
    private final LlmBulkheads bulkheads;
    private final TokenBudgets budgets;
    private final TenantRegistry tenants;
    private final PromptBuilder prompts;
    private final TenantMetrics metrics;
    private final ObjectProvider<ChatUsageListener> usageListeners;
    private final Clock clock;

    public LlmRouter(LlmCatalog catalog, LlmBreakers breakers, TokenBudgets budgets, TenantRegistry tenants,
                     PromptBuilder prompts, TenantMetrics metrics, ObjectProvider<ChatUsageListener> usageListeners,
                     Clock clock, LlmBulkheads bulkheads) {
        this.catalog = catalog;
        this.breakers = breakers;
        this.bulkheads = bulkheads;
        this.budgets = budgets;
        this.tenants = tenants;
        this.prompts = prompts;
        this.metrics = metrics;
        this.usageListeners = usageListeners;
        this.clock = clock;
    }

    /** One attempt's result; {@code reply} only when the outcome is ok. */
    private record Tried(Attempt attempt, ChatReply reply) {
    }

    /**
     * Answers a question from the retrieved passages through the criticality's chain.
     *
     * @throws BudgetExhaustedException the budget ran out and the tenant rejects rather than degrades (429)
     * @throws NoAnswerException        every provider failed and the chain has no extractive last resort (503)
     */
    public RoutedAnswer route(TenantId tenant, String criticality, String question, List<VectorMatch> passages,
                              String requestId) {
        List<ChatProvider> chain = catalog.route(criticality);
        // the registry's cached copy (the query controller has just confirmed its version); it is normalised
        TenantConfig config = tenants.config(tenant);
        boolean degrade = DEGRADE_TO_EXTRACTIVE.equals(config.routing().onBudgetExhausted());
        ChatPrompt prompt = prompts.build(config.systemPrompt(), question, passages);

        List<Attempt> attempts = new ArrayList<>();
        boolean budgetSpent = false;
        for (ChatProvider provider : chain) {
            Tried tried = budgetSpent && provider.remote()
                    ? new Tried(new Attempt(provider.name(), provider.model(), Outcome.SKIPPED, 0), null)
                    : attempt(tenant, provider, prompt, config.limits().maxConcurrentLlmCalls());
            attempts.add(tried.attempt());
            metrics.llmRequest(tenant, provider.name(), provider.model(), tried.attempt().outcome().wire());
            if (tried.reply() != null) {
                return answered(tenant, requestId, criticality, provider, tried.reply(), attempts);
            }
            if (tried.attempt().outcome() == Outcome.BUDGET_EXHAUSTED) {
                LOG.info("Daily LLM token budget used up; {}",
                        degrade ? "degrading to extractive" : "rejecting the query");
                if (!degrade) {
                    throw new BudgetExhaustedException(tenant, provider.name());
                }
                budgetSpent = true;
            }
        }
        if (budgetSpent) {
            // the tenant chose to degrade: the local answerer answers even when the route does not list it
            ChatProvider extractive = catalog.extractive();
            Tried tried = attempt(tenant, extractive, prompt, null);
            attempts.add(tried.attempt());
            metrics.llmRequest(tenant, extractive.name(), extractive.model(), tried.attempt().outcome().wire());
            return answered(tenant, requestId, criticality, extractive, tried.reply(), attempts);
        }
        throw new NoAnswerException(criticality, attempts);
    }

    /** Forgets the tenant's breakers and cached clients (tenant erased). */
    public void forget(TenantId tenant) {
        breakers.forget(tenant);
        bulkheads.forget(tenant);
        catalog.forget(tenant);
    }

    private Tried attempt(TenantId tenant, ChatProvider provider, ChatPrompt prompt, Integer maxConcurrent) {
        long start = System.nanoTime();
        if (!provider.remote()) {
            return ok(provider, provider.chat(tenant, prompt), start);
        }
        try (LlmBulkheads.Permit permit = bulkheads.acquire(tenant, maxConcurrent)) {
            return attemptRemote(tenant, provider, prompt, start);
        }
    }

    private Tried attemptRemote(TenantId tenant, ChatProvider provider, ChatPrompt prompt, long start) {
        CircuitBreaker breaker = breakers.breaker(tenant, provider.name());
        if (!breaker.tryAcquirePermission()) {
            return failed(provider, Outcome.CIRCUIT_OPEN, start);
        }
        TokenBudgets.Reservation reservation;
        try {
            reservation = budgets.reserve(tenant, Budget.LLM_DAILY,
                    (long) prompt.estimatedTokens() + provider.maxCompletionTokens());
        } catch (BudgetExceededException e) {
            breaker.releasePermission();
            return failed(provider, Outcome.BUDGET_EXHAUSTED, start);
        } catch (RuntimeException e) {
            breaker.releasePermission();
            throw e;
        }
        long callStart = System.nanoTime();
        ChatReply reply;
        try {
            reply = provider.chat(tenant, prompt);
        } catch (ProviderUnavailableException e) {
            breaker.releasePermission();
            budgets.release(reservation);
            LOG.info("LLM provider {} skipped: {}", provider.name(), e.getMessage());
            return failed(provider, Outcome.SKIPPED, start);
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - callStart, TimeUnit.NANOSECONDS, e);
            budgets.release(reservation);
            Outcome outcome = classify(e);
            // the class and HTTP status only: provider error bodies may echo parts of a key or the prompt
            LOG.warn("LLM provider {} failed: {} ({}{}); breaker {}", provider.name(), outcome.wire(),
                    e.getClass().getSimpleName(), httpStatus(e), breaker.getState());
            return failed(provider, outcome, start);
        }
        breaker.onSuccess(System.nanoTime() - callStart, TimeUnit.NANOSECONDS);
        budgets.commit(reservation, reply.totalTokens());
        return ok(provider, reply, start);
    }

    private RoutedAnswer answered(TenantId tenant, String requestId, String criticality, ChatProvider provider,
                                  ChatReply reply, List<Attempt> attempts) {
        RoutedAnswer answer = new RoutedAnswer(tenant, requestId, criticality, reply.text(), provider.name(),
                provider.model(), reply.promptTokens(), reply.completionTokens(), attempts);
        if (provider.remote()) {
            // >>> usage ledger call site: every remote call that answered, with the provider-reported tokens
            ChatUsage usage = new ChatUsage(tenant, clock.instant(), provider.name(), provider.type(),
                    provider.model(), reply.promptTokens(), reply.completionTokens(), requestId);
            usageListeners.orderedStream().forEach(listener -> {
                try {
                    listener.chatCompleted(usage);
                } catch (RuntimeException e) {
                    LOG.error("Usage listener {} failed for request {}", listener.getClass().getSimpleName(),
                            requestId, e);
                }
            });
        }
        return answer;
    }

    private static Tried ok(ChatProvider provider, ChatReply reply, long start) {
        return new Tried(new Attempt(provider.name(), provider.model(), Outcome.OK, millisSince(start)), reply);
    }

    private static Tried failed(ChatProvider provider, Outcome outcome, long start) {
        return new Tried(new Attempt(provider.name(), provider.model(), outcome, millisSince(start)), null);
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    static Outcome classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof dev.langchain4j.exception.TimeoutException || t instanceof HttpTimeoutException
                    || t instanceof SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException) {
                return Outcome.TIMEOUT;
            }
        }
        return Outcome.ERROR;
    }

    private static String httpStatus(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof dev.langchain4j.exception.HttpException http) {
                return ", HTTP " + http.statusCode();
            }
        }
        return "";
    }
}
