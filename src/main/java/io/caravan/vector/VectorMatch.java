package io.caravan.vector;

/** A retrieved chunk and its cosine similarity to the query. */
public record VectorMatch(VectorChunk chunk, double score) {
}
