package io.caravan.query;

import io.caravan.embedding.TextEmbedder;
import io.caravan.llm.LlmRouter;
import io.caravan.llm.RoutedAnswer;
import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.usage.QuestionUsage;
import io.caravan.vector.TenantVectorStore;
import io.caravan.vector.VectorMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.springframework.stereotype.Component;

/** Steps of the query route: retrieve from the tenant's store, route to an LLM, answer with citations. */
@Component("queryPipeline")
public class QueryPipeline {

    static final int SNIPPET_CHARS = 280;

    /** A question with the passages retrieved for it. */
    public record Retrieved(Question question, List<VectorMatch> matches) {
    }

    /** The retrieved passages with the router's answer. */
    public record Routed(Retrieved retrieved, RoutedAnswer answer) {
    }

    private final TextEmbedder embedder;
    private final TenantVectorStore store;
    private final LlmRouter router;
    private final TenantMetrics metrics;
    private final LiveDocuments documents;
    private final QuestionUsage usage;

    public QueryPipeline(TextEmbedder embedder, TenantVectorStore store, LlmRouter router,
                         TenantMetrics metrics, LiveDocuments documents, QuestionUsage usage) {
        this.embedder = embedder;
        this.store = store;
        this.router = router;
        this.metrics = metrics;
        this.documents = documents;
        this.usage = usage;
    }

    public Retrieved retrieve(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        Question question = exchange.getMessage().getMandatoryBody(Question.class);
        float[] vector = question.vector() == null ? embedder.embed(question.text())
                : QuestionEmbeddings.await(question.vector());
        metrics.questionEmbedded(tenant, question.vector() != null);
        usage.embedded(tenant, question.text(), exchange.getExchangeId());
        List<VectorMatch> matches = store.search(tenant, vector, question.topK());
        // a document deleted a moment ago (or before a crash cut its cleanup short) never answers
        Set<String> live = documents.indexedAmong(tenant, question.corpus(),
                matches.stream().map(m -> m.chunk().documentId()).collect(java.util.stream.Collectors.toSet()));
        return new Retrieved(question, matches.stream().filter(m -> live.contains(m.chunk().documentId())).toList());
    }

    /** Asks the LLM router: the criticality's provider chain answers from the retrieved passages. */
    public Routed route(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        Retrieved retrieved = exchange.getMessage().getMandatoryBody(Retrieved.class);
        Question question = retrieved.question();
        return new Routed(retrieved, router.route(tenant, question.criticality(), question.text(),
                retrieved.matches(), exchange.getExchangeId()));
    }

    public QueryAnswer answer(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        Routed routed = exchange.getMessage().getMandatoryBody(Routed.class);
        RoutedAnswer llm = routed.answer();
        QueryAnswer answer = new QueryAnswer(llm.text(), citations(routed.retrieved().matches()), llm.model(),
                llm.provider(), false, new QueryAnswer.Usage(llm.promptTokens(), llm.completionTokens()),
                new QueryAnswer.Route(llm.criticality(), llm.attempts().stream()
                        .map(a -> new QueryAnswer.Attempt(a.provider(), a.model(), a.outcome().wire(), a.latencyMs()))
                        .toList()),
                sourceType(routed.retrieved()));
        // from the question's acceptance, as a cache hit's: its embedding may have started before the route
        metrics.queryLatency(tenant, answer.sourceType(), answer.provider(), answer.cacheHit(),
                Duration.ofNanos(System.nanoTime() - routed.retrieved().question().acceptedAt()));
        return answer;
    }

    /** The source type label of the query metric: that of the best passage, or none. */
    static String sourceType(Retrieved retrieved) {
        return retrieved.matches().isEmpty() ? "none" : retrieved.matches().get(0).chunk().sourceType();
    }

    /** One citation per document, with its best-scoring passage. */
    private static List<QueryAnswer.Citation> citations(List<VectorMatch> matches) {
        Map<String, VectorMatch> best = new LinkedHashMap<>();
        for (VectorMatch match : matches) {
            best.putIfAbsent(match.chunk().documentId(), match);
        }
        List<QueryAnswer.Citation> citations = new ArrayList<>();
        for (VectorMatch match : best.values()) {
            String text = match.chunk().text();
            String snippet = text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) + "…" : text;
            citations.add(new QueryAnswer.Citation(match.chunk().documentId(), match.chunk().title(),
                    match.chunk().sourceUri(), snippet, Math.round(match.score() * 10000) / 10000.0));
        }
        return citations;
    }
}
