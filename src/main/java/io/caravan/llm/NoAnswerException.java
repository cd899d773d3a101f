package io.caravan.llm;

import java.util.List;
import java.util.stream.Collectors;

/** Every provider of the route failed and the route has no extractive last resort (API: 503). */
public class NoAnswerException extends RuntimeException {

    public NoAnswerException(String criticality, List<Attempt> attempts) {
        super("no provider of the '" + criticality + "' route answered ("
                + attempts.stream().map(a -> a.provider() + ": " + a.outcome().wire()).collect(Collectors.joining(", "))
                + ")");
    }
}
