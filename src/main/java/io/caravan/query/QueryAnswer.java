package io.caravan.query;

import java.util.List;

/** The answer to a query, as API.md defines the response. */
public record QueryAnswer(String answer, List<Citation> citations, String model, String provider, boolean cacheHit,
                          Usage usage, Route route, @com.fasterxml.jackson.annotation.JsonIgnore String sourceType) {

    /** The same answer served from the cache: no tokens were spent on it. */
    public QueryAnswer asCacheHit() {
        return new QueryAnswer(answer, citations, model, provider, true, new Usage(0, 0), route, sourceType);
    }

    /**
     * Only answers of the route's first provider are cached: an answer that failed over or degraded is not, so
     * the next identical question tries the preferred provider again.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean cacheable() {
        return route.attempts().size() == 1 && "ok".equals(route.attempts().get(0).outcome());
    }

    public record Citation(String documentId, String title, String sourceUri, String snippet, double score) {
    }

    public record Usage(int promptTokens, int completionTokens) {
    }

    public record Route(String criticality, List<Attempt> attempts) {
    }

    public record Attempt(String provider, String model, String outcome, long latencyMs) {
    }
}
