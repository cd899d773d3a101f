package io.caravan.vector;

/** One stored chunk: the text, its embedding and what a citation needs. */
public record VectorChunk(String chunkId, String documentId, int index, String title, String sourceType,
                          String sourceUri, String text, float[] vector) {
}
