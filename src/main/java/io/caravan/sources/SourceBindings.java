package io.caravan.sources;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/** The {@link SourceBinding} beans by source type; two bindings for one type stop the hub at start-up. */
@Component
public class SourceBindings {

    private final Map<String, SourceBinding> byType = new TreeMap<>();

    public SourceBindings(List<SourceBinding> bindings) {
        for (SourceBinding binding : bindings) {
            SourceBinding previous = byType.put(binding.type(), binding);
            if (previous != null) {
                throw new IllegalStateException("two source bindings for type '" + binding.type() + "': "
                        + previous.getClass().getName() + " and " + binding.getClass().getName());
            }
        }
    }

    public Optional<SourceBinding> find(String type) {
        return type == null ? Optional.empty() : Optional.ofNullable(byType.get(type));
    }

    /** The source types this hub can run, sorted. */
    public Set<String> types() {
        return java.util.Collections.unmodifiableSet(byType.keySet());
    }
}
