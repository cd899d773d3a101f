package io.caravan.api;

import io.caravan.observability.TenantMetrics;
import io.caravan.query.AnswerCache;
import io.caravan.query.QueryAnswer;
import io.caravan.query.Question;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.ProducerTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/query}: validates the question, applies the tenant's rate limit, answers from the
 * tenant-scoped cache or hands the question to the query route.
 */
@RestController
class QueryController {

    static final Set<String> CRITICALITIES = Set.of("internal-test", "standard", "critical");
    static final int MAX_QUESTION = 4000;
    static final int MAX_TOP_K = 50;

    private final ProducerTemplate camel;
    private final TenantRegistry tenants;
    private final AnswerCache cache;
    private final QueryRateLimiter limiter;
    private final TenantMetrics metrics;

    QueryController(ProducerTemplate camel, TenantRegistry tenants, AnswerCache cache, QueryRateLimiter limiter,
                    TenantMetrics metrics) {
        this.camel = camel;
        this.tenants = tenants;
        this.cache = cache;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    @PostMapping(path = "/api/v1/query", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    QueryAnswer query(TenantId tenant, @RequestBody Dtos.QueryRequest request) {
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
        // one statement: config and corpus versions (the parsed config comes from the registry's cache)
        TenantRegistry.QueryView current = tenants.queryView(tenant);
        TenantConfig config = current.config();
        int configVersion = current.configVersion();
        String criticality = request.criticality();
        if (criticality == null) {
            String configured = config.routing().defaultCriticality();
            criticality = configured == null ? "standard" : configured;
        } else if (!CRITICALITIES.contains(criticality)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST,
                    "criticality must be one of internal-test, standard, critical");
        }
        limiter.acquire(tenant, config.limits().queriesPerMinute());
        String question = request.question().strip();
        AnswerCache.Key key = new AnswerCache.Key(tenant, configVersion, current.corpus(),
                AnswerCache.normalise(question), criticality, topK);
        long start = System.nanoTime();
        Optional<QueryAnswer> cached = cache.get(key);
        if (cached.isPresent()) {
            QueryAnswer hit = cached.get().asCacheHit();
            metrics.queryLatency(tenant, hit.sourceType(), hit.provider(), true,
                    Duration.ofNanos(System.nanoTime() - start));
            return hit;
        }
        QueryAnswer answer = camel.requestBodyAndHeaders("direct:query", new Question(question, topK, criticality, current.corpus()),
                TenantHeader.headers(tenant), QueryAnswer.class);
        if (answer.cacheable()) {
            cache.put(key, answer);
        }
        return answer;
    }
}
