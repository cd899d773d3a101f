package io.caravan.llm;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The kinds of provider {@code caravan.llm.providers.<name>.type} may name. */
enum ProviderType {
    OPENAI, ANTHROPIC, EXTRACTIVE;

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<ProviderType> parse(String value) {
        return Arrays.stream(values()).filter(type -> type.wire().equals(value)).findFirst();
    }
}
