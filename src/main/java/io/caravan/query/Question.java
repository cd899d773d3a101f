package io.caravan.query;

import io.caravan.tenancy.CorpusVersion;
import java.util.concurrent.CompletableFuture;

/**
 * A validated question on its way through the query route.
 *
 * @param corpus the tenant's corpus version read before the search (see {@link LiveDocuments})
 * @param vector the question's embedding when the caller started it early ({@link QuestionEmbeddings}); null:
 *               the route embeds the question itself
 */
public record Question(String text, int topK, String criticality, CorpusVersion corpus,
                       CompletableFuture<float[]> vector) {

    public Question(String text, int topK, String criticality, CorpusVersion corpus) {
        this(text, topK, criticality, corpus, null);
    }
}
