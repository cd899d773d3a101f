package io.caravan.query;

/**
 * A validated question on its way through the query route.
 *
 * @param corpusVersion the tenant's corpus version read before the search (see {@link LiveDocuments})
 */
public record Question(String text, int topK, String criticality, long corpusVersion) {
}
