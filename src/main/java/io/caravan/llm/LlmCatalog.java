package io.caravan.llm;

import io.caravan.secrets.TenantSecrets;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The configured providers and the provider chain of each criticality, validated at start-up: an unknown
 * type, a missing model, a route naming an unknown provider (or an unknown criticality) stops the hub with a
 * message naming the property.
 */
@Component
public class LlmCatalog {

    public static final String EXTRACTIVE = ExtractiveAnswerer.NAME;
    public static final List<String> CRITICALITIES = List.of("internal-test", "standard", "critical");
    /** Provider names appear in secret names, metric labels and logs: keep them plain. */
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{0,39}$");
    private static final Logger LOG = LoggerFactory.getLogger(LlmCatalog.class);

    private final Map<String, ChatProvider> providers;
    private final Map<String, List<ChatProvider>> routes;

    public LlmCatalog(LlmProperties properties, ExtractiveAnswerer extractive, TenantSecrets secrets) {
        Map<String, ChatProvider> built = new LinkedHashMap<>();
        built.put(EXTRACTIVE, new ExtractiveProvider(EXTRACTIVE, extractive));
        new TreeMap<>(properties.providers()).forEach((name, settings) ->
                built.put(name, provider(name, settings, extractive, secrets)));
        this.providers = Map.copyOf(built);

        for (String level : properties.routes().keySet()) {
            if (!CRITICALITIES.contains(level)) {
                throw invalid("caravan.llm.routes." + level + ": unknown criticality; use one of " + CRITICALITIES);
            }
        }
        Map<String, List<ChatProvider>> chains = new LinkedHashMap<>();
        for (String level : CRITICALITIES) {
            List<String> names = properties.routes().getOrDefault(level, List.of(EXTRACTIVE));
            chains.put(level, chain(level, names));
        }
        this.routes = Map.copyOf(chains);
        chains.forEach((level, chain) -> LOG.info("LLM route {}: {}", level,
                chain.stream().map(p -> p.name() + " (" + p.type() + (p.remote() ? ", " + p.model() : "") + ")")
                        .toList()));
    }

    /** The ordered providers of a criticality. */
    public List<ChatProvider> route(String criticality) {
        List<ChatProvider> chain = routes.get(criticality);
        if (chain == null) {
            throw new IllegalArgumentException("unknown criticality '" + criticality + "'");
        }
        return chain;
    }

    public ChatProvider extractive() {
        return providers.get(EXTRACTIVE);
    }

    /** Drops what the providers cache for a tenant (its own-key clients). */
    public void forget(TenantId tenant) {
        providers.values().forEach(provider -> {
            if (provider instanceof RemoteChatProvider remote) {
                remote.forget(tenant);
            }
        });
    }

    private List<ChatProvider> chain(String level, List<String> names) {
        String property = "caravan.llm.routes." + level;
        if (names == null || names.isEmpty()) {
            throw invalid(property + " is empty; list at least one provider (e.g. extractive)");
        }
        Set<String> seen = new HashSet<>();
        List<ChatProvider> chain = new ArrayList<>();
        for (String raw : names) {
            String name = raw == null ? "" : raw.strip();
            ChatProvider provider = providers.get(name);
            if (provider == null) {
                throw invalid(property + " names provider '" + name + "', which is not configured; known: "
                        + new TreeMap<>(providers).keySet());
            }
            if (!seen.add(name)) {
                throw invalid(property + " names provider '" + name + "' twice");
            }
            chain.add(provider);
        }
        return List.copyOf(chain);
    }

    private static ChatProvider provider(String name, LlmProperties.Provider settings, ExtractiveAnswerer extractive,
                                         TenantSecrets secrets) {
        String property = "caravan.llm.providers." + name;
        if (!NAME.matcher(name).matches()) {
            throw invalid(property + ": provider names use lower-case letters, digits and '-' (at most 40)");
        }
        if (settings == null) {
            throw invalid(property + " has no settings");
        }
        ProviderType type = ProviderType.parse(settings.type()).orElseThrow(() -> invalid(property + ".type is '"
                + settings.type() + "'; use openai, anthropic or extractive"));
        if (EXTRACTIVE.equals(name) && type != ProviderType.EXTRACTIVE) {
            throw invalid(property + ": the name 'extractive' is reserved for the local answerer");
        }
        if (type == ProviderType.EXTRACTIVE) {
            return new ExtractiveProvider(name, extractive);
        }
        if (settings.model() == null || settings.model().isBlank()) {
            throw invalid(property + ".model is required for a " + type.wire() + " provider");
        }
        if (settings.baseUrl() != null && !settings.baseUrl().matches("^https?://.+")) {
            throw invalid(property + ".base-url must be an http(s) URL");
        }
        if (settings.timeout().isNegative() || settings.timeout().isZero()
                || settings.timeout().compareTo(Duration.ofMinutes(10)) > 0) {
            throw invalid(property + ".timeout must be between 0 and 10 minutes");
        }
        if (settings.maxTokens() < 1) {
            throw invalid(property + ".max-tokens must be positive");
        }
        return type == ProviderType.OPENAI
                ? new OpenAiProvider(name, settings, secrets)
                : new AnthropicProvider(name, settings, secrets);
    }

    private static IllegalStateException invalid(String message) {
        return new IllegalStateException("Invalid LLM configuration: " + message);
    }
}
