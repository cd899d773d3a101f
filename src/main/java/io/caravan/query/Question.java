package io.caravan.query;

import io.caravan.tenancy.CorpusVersion;

/**
 * A validated question on its way through the query route.
 *
 * @param corpus the tenant's corpus version read before the search (see {@link LiveDocuments})
 */
public record Question(String text, int topK, String criticality, CorpusVersion corpus) {
}
