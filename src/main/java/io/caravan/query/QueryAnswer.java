package io.caravan.query;

import java.util.List;

/** The answer to a query, as API.md defines the response. */
public record QueryAnswer(String answer, List<Citation> citations, String model, String provider, boolean cacheHit,
                          Usage usage, Route route, @com.fasterxml.jackson.annotation.JsonIgnore String sourceType) {

    /** The same answer served from the cache: no tokens were spent on it. */
    public QueryAnswer asCacheHit() {
        return new QueryAnswer(answer, citations, model, provider, true, new Usage(0, 0), route, sourceType);
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
