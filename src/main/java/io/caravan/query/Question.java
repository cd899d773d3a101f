package io.caravan.query;

import io.caravan.tenancy.CorpusVersion;
import java.util.concurrent.CompletableFuture;

/**
 * A validated question on its way through the query route.
 *
 * @param corpus     the tenant's corpus version read before the search (see {@link LiveDocuments})
 * @param vector     the question's embedding when the caller started it early ({@link QuestionEmbeddings}); null:
 *                   the route embeds the question itself
 * @param acceptedAt {@link System#nanoTime()} when the question was accepted (valid, within its rate limit): the
 *                   start of its {@code rag_query_latency_seconds}
 */
public record Question(String text, int topK, String criticality, CorpusVersion corpus,
                       CompletableFuture<float[]> vector, long acceptedAt) {

    /** A question accepted now, embedded by the route. */
    public Question(String text, int topK, String criticality, CorpusVersion corpus) {
        this(text, topK, criticality, corpus, null, System.nanoTime());
    }
}
