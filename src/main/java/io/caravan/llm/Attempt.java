package io.caravan.llm;

/** One provider tried by the router. */
public record Attempt(String provider, String model, Outcome outcome, long latencyMs) {
}
