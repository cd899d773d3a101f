package io.caravan.api;

import io.caravan.observability.TenantMetrics;
import io.caravan.query.AnswerCache;
import io.caravan.query.QueryAnswer;
import io.caravan.query.Question;
import io.caravan.query.QuestionEmbeddings;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.usage.QuestionUsage;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * What {@code POST /api/v1/query} does with a question ({@link QueryEndpoint} serves the HTTP side): validates
 * it, applies the tenant's rate limit, answers from the tenant-scoped cache or hands it to the query route, with
 * its embedding already started.
 */
@Component
class QueryHandler {

    static final Set<String> CRITICALITIES = Set.of("internal-test", "standard", "critical");
    static final int MAX_QUESTION = 4000;
    static final int MAX_TOP_K = 50;

    private final ProducerTemplate camel;
    private final TenantRegistry tenants;
    private final AnswerCache cache;
    private final QueryRateLimiter limiter;
    private final TenantMetrics metrics;
    private final QuestionEmbeddings embeddings;
    private final QuestionUsage usage;

    QueryHandler(ProducerTemplate camel, TenantRegistry tenants, AnswerCache cache, QueryRateLimiter limiter,
                    TenantMetrics metrics, QuestionEmbeddings embeddings, QuestionUsage usage) {
        this.embeddings = embeddings;
        this.usage = usage;
        this.camel = camel;
        this.tenants = tenants;
        this.cache = cache;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    QueryAnswer query(TenantId tenant, Dtos.QueryRequest request) {
        if (request.question() == null || request.question().isBlank()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "field 'question' is required");
        }
        if (request.question().length() > MAX_QUESTION) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "question is longer than " + MAX_QUESTION + " characters");
        }
        int topK = request.topK() == null ? 5 : request.topK();
        if (topK < 1 || topK > MAX_TOP_K) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "topK must be between 1 and " + MAX_TOP_K);
        }
        if (request.criticality() != null && !CRITICALITIES.contains(request.criticality())) {
            throw new ApiException(ErrorCode.INVALID_REQUEST,
                    "criticality must be one of internal-test, standard, critical");
        }
        // the cached config decides the rate limit, before any work for the question: a tenant over its rate
        // costs no embedding (and no database read: the versions read below refreshes a changed config)
        TenantConfig cachedConfig = tenants.cachedConfig(tenant);
        applyRateLimit(tenant, cachedConfig);
        long accepted = System.nanoTime();
        String question = request.question().strip();
        String normalised = AnswerCache.normalise(question);
        // one statement reads the config and corpus versions, always current. Unless the cache likely holds the
        // answer, it runs on a thread beside this one while this one embeds the question: the vector is then
        // ready here with no thread to wake (the read, far shorter than the model, is done by then)
        CompletableFuture<TenantRegistry.QueryView> read = cache.mayAnswer(tenant, normalised,
                criticality(request, cachedConfig), topK) ? null : embeddings.beside(() -> tenants.queryView(tenant));
        CompletableFuture<float[]> vector = read == null ? null : embeddings.embedHere(question);
        TenantRegistry.QueryView current = read == null ? tenants.queryView(tenant) : QuestionEmbeddings.await(read);
        String criticality = criticality(request, current.config());
        AnswerCache.Key key = new AnswerCache.Key(tenant, current.configVersion(), current.corpus(), normalised,
                criticality, topK);
        Optional<QueryAnswer> cached = cache.get(key);
        if (cached.isPresent()) {
            if (vector != null) {
                // started, then answered from the cache after all: the model still ran, and the ledger says so
                vector.thenRun(() -> usage.embedded(tenant, question, null));
            }
            QueryAnswer hit = cached.get().asCacheHit();
            metrics.queryLatency(tenant, hit.sourceType(), hit.provider(), true,
                    Duration.ofNanos(System.nanoTime() - accepted));
            return hit;
        }
        QueryAnswer answer = camel.requestBodyAndHeaders("direct:query",
                new Question(question, topK, criticality, current.corpus(), vector, accepted),
                TenantHeader.headers(tenant), QueryAnswer.class);
        if (answer.cacheable()) {
            cache.put(key, answer);
        }
        return answer;
    }

    /**
     * Counts the query against the limit of the config last read; a refusal is only made on a limit at most
     * {@code caravan.tenants.config-cache-ttl} old (a tenant refused never reaches the versions read that would
     * refresh the config, so a limit raised through another replica would otherwise wait for the next minute).
     */
    private void applyRateLimit(TenantId tenant, TenantConfig cachedConfig) {
        Integer limit = cachedConfig.limits().queriesPerMinute();
        try {
            limiter.acquire(tenant, limit);
        } catch (RateLimitedException refused) {
            Integer current = tenants.config(tenant).limits().queriesPerMinute();
            if (java.util.Objects.equals(current, limit)) {
                throw refused;
            }
            limiter.recheck(tenant, current); // counted once already
        }
    }

    /** The request's criticality, else the tenant's default, else {@code standard}. */
    private static String criticality(Dtos.QueryRequest request, TenantConfig config) {
        if (request.criticality() != null) {
            return request.criticality();
        }
        String configured = config.routing().defaultCriticality();
        return configured == null ? "standard" : configured;
    }
}
