package io.caravan.query;

/** A validated question on its way through the query route. */
public record Question(String text, int topK, String criticality) {
}
