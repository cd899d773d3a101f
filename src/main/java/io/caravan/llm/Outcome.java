package io.caravan.llm;

import java.util.Locale;

/** How one attempt of a route ended; {@link #wire()} is the value of API.md's {@code route.attempts[].outcome}. */
public enum Outcome {
    OK, ERROR, TIMEOUT, CIRCUIT_OPEN, BUDGET_EXHAUSTED, SKIPPED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
