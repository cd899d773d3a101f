package io.caravan.api;

import io.caravan.secrets.TenantSecrets;
import io.caravan.sources.SourceBindings;
import io.caravan.tenancy.ApiKeys;
import io.caravan.tenancy.Tenant;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin endpoints: tenants, their config, API keys and secrets. The admin token is checked at the edge. */
@RestController
@RequestMapping(path = "/admin/v1/tenants", produces = MediaType.APPLICATION_JSON_VALUE)
class AdminTenantController extends AdminController {

    private static final Set<String> CRITICALITIES = Set.of("internal-test", "standard", "critical");
    private static final Set<String> ON_BUDGET_EXHAUSTED = Set.of("reject", "extractive");
    /** Source ids become part of route ids and URIs: no '.', which separates tenant and source there. */
    private static final java.util.regex.Pattern SOURCE_ID = java.util.regex.Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");

    /**
     * A tenant's parse may hold a child parser this long at most: a Kafka consumer must finish its poll's
     * documents within max.poll.interval.ms (production profile: 5 records in 10 minutes), and one document must
     * not hold a shared worker for long. At least a millisecond: the watchdog counts in milliseconds.
     */
    private static final Duration MAX_PARSE_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration MIN_PARSE_TIMEOUT = Duration.ofMillis(1);

    private final TenantRegistry tenants;
    private final ApiKeys apiKeys;
    private final TenantSecrets secrets;
    private final TenantErasure erasure;
    private final SourceBindings sourceBindings;

    AdminTenantController(TenantRegistry tenants, ApiKeys apiKeys, TenantSecrets secrets, TenantErasure erasure,
                          SourceBindings sourceBindings) {
        this.tenants = tenants;
        this.apiKeys = apiKeys;
        this.secrets = secrets;
        this.erasure = erasure;
        this.sourceBindings = sourceBindings;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    Dtos.TenantView create(@RequestBody Dtos.CreateTenantRequest request) {
        if (request.id() == null) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "field 'id' is required");
        }
        TenantId id = TenantId.of(request.id());
        String displayName = request.displayName() == null || request.displayName().isBlank()
                ? id.value() : request.displayName().strip();
        if (displayName.length() > 200) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "displayName is longer than 200 characters");
        }
        Dtos.TenantView created = Dtos.TenantView.of(tenants.create(id, displayName));
        // an id used before: whatever an earlier incarnation's index worker left in the vector storage goes now,
        // while the new tenant has no key yet and so nothing of its own there
        erasure.prepareReuse(id);
        return created;
    }

    @GetMapping
    Dtos.Items<Dtos.TenantView> list() {
        return new Dtos.Items<>(tenants.list().stream().map(Dtos.TenantView::of).toList());
    }

    @GetMapping("/{id}")
    Dtos.TenantView get(@PathVariable("id") String id) {
        return Dtos.TenantView.of(tenants.require(existing(id)));
    }

    @PutMapping(path = "/{id}/config", consumes = MediaType.APPLICATION_JSON_VALUE)
    Dtos.ConfigView putConfig(@PathVariable("id") String id, @RequestBody TenantConfig config) {
        TenantId tenant = existing(id);
        validate(config);
        Tenant updated = tenants.updateConfig(tenant, config);
        return new Dtos.ConfigView(updated.config(), updated.configVersion());
    }

    @DeleteMapping("/{id}")
    Dtos.ErasureReport delete(@PathVariable("id") String id) {
        return erasure.erase(existing(id));
    }

    @PostMapping(path = "/{id}/keys", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    Dtos.KeyCreated issueKey(@PathVariable("id") String id, @RequestBody Dtos.CreateKeyRequest request) {
        TenantId tenant = existing(id);
        String name = request.name() == null || request.name().isBlank() ? "default" : request.name().strip();
        if (name.length() > 200) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "name is longer than 200 characters");
        }
        ApiKeys.IssuedKey key = apiKeys.issue(tenant, name);
        return new Dtos.KeyCreated(key.keyId(), key.apiKey());
    }

    @DeleteMapping("/{id}/keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revokeKey(@PathVariable("id") String id, @PathVariable("keyId") String keyId) {
        if (!apiKeys.revoke(existing(id), keyId)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "key '" + keyId + "' not found for this tenant");
        }
    }

    @PutMapping(path = "/{id}/secrets/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void putSecret(@PathVariable("id") String id, @PathVariable("name") String name,
                   @RequestBody Dtos.SecretValue body) {
        TenantId tenant = existing(id);
        if (!TenantSecrets.isValidName(name)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST,
                    "secret names use letters, digits, '.', '_' or '-' (at most 100)");
        }
        if (body.value() == null || body.value().isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "field 'value' is required");
        }
        secrets.put(tenant, name, body.value());
    }

    @GetMapping("/{id}/secrets")
    Dtos.Items<Dtos.SecretView> listSecrets(@PathVariable("id") String id) {
        return new Dtos.Items<>(secrets.list(existing(id)).stream().map(Dtos.SecretView::of).toList());
    }

    private TenantId existing(String id) {
        if (!TenantId.isValid(id)) {
            throw new ApiException(ErrorCode.TENANT_NOT_FOUND, "tenant '" + id + "' does not exist");
        }
        TenantId tenant = TenantId.of(id);
        if (!tenants.exists(tenant)) {
            throw new ApiException(ErrorCode.TENANT_NOT_FOUND, "tenant '" + id + "' does not exist");
        }
        return tenant;
    }

    private void validate(TenantConfig config) {
        if (config.budgets() != null) {
            requireNonNegative("budgets.llmTokensPerDay", config.budgets().llmTokensPerDay());
            requireNonNegative("budgets.embeddingTokensPerMonth", config.budgets().embeddingTokensPerMonth());
            String webhook = config.budgets().alertWebhookUrl();
            if (webhook != null && !webhook.matches("^https?://[^\\s]+$")) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "budgets.alertWebhookUrl must be an http(s) URL");
            }
            List<Double> thresholds = config.budgets().alertThresholds();
            if (thresholds != null && thresholds.stream().anyMatch(t -> t == null || t <= 0 || t > 1)) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, "budgets.alertThresholds must be in (0, 1]");
            }
        }
        if (config.limits() != null) {
            requirePositive("limits.queriesPerMinute", config.limits().queriesPerMinute());
            requirePositive("limits.maxConcurrentLlmCalls", config.limits().maxConcurrentLlmCalls());
            requirePositive("limits.maxDocumentBytes", config.limits().maxDocumentBytes());
            requirePositive("limits.maxChunksPerDocument", config.limits().maxChunksPerDocument());
            requirePositive("limits.ingestDocumentsPerSecond", config.limits().ingestDocumentsPerSecond());
            requireParseTimeout(config.limits());
        }
        if (config.routing() != null && config.routing().defaultCriticality() != null
                && !CRITICALITIES.contains(config.routing().defaultCriticality())) {
            throw new ApiException(ErrorCode.INVALID_REQUEST,
                    "routing.defaultCriticality must be one of internal-test, standard, critical");
        }
        if (config.routing() != null && config.routing().onBudgetExhausted() != null
                && !ON_BUDGET_EXHAUSTED.contains(config.routing().onBudgetExhausted())) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "routing.onBudgetExhausted must be reject or extractive");
        }
        if (config.sources() != null) {
            Set<String> ids = new java.util.HashSet<>();
            for (TenantConfig.Source source : config.sources()) {
                if (source == null || source.id() == null || source.id().isBlank()) {
                    throw new ApiException(ErrorCode.INVALID_REQUEST, "every source needs an 'id'");
                }
                if (!SOURCE_ID.matcher(source.id()).matches()) {
                    throw new ApiException(ErrorCode.INVALID_REQUEST, "source id '" + source.id()
                            + "' must be 1-64 letters, digits, '_' or '-', starting with a letter or digit");
                }
                if (!ids.add(source.id())) {
                    throw new ApiException(ErrorCode.INVALID_REQUEST, "duplicate source id '" + source.id() + "'");
                }
                if (sourceBindings.find(source.type()).isEmpty()) {
                    throw new ApiException(ErrorCode.INVALID_REQUEST, "source '" + source.id() + "' has type '"
                            + source.type() + "'; this hub runs " + String.join(", ", sourceBindings.types()));
                }
            }
        }
    }

    private static void requireNonNegative(String field, Long value) {
        if (value != null && value < 0) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, field + " must not be negative");
        }
    }

    private static void requireParseTimeout(TenantConfig.Limits limits) {
        if (limits.parseTimeout() == null) {
            return;
        }
        Duration limit;
        try {
            limit = limits.parseTimeLimit();
        } catch (DateTimeParseException e) {
            limit = null;
        }
        if (limit == null || limit.compareTo(MIN_PARSE_TIMEOUT) < 0 || limit.compareTo(MAX_PARSE_TIMEOUT) > 0) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "limits.parseTimeout must be an ISO-8601 duration "
                    + "from PT0.001S to PT1M, such as PT30S; got '" + limits.parseTimeout() + "'");
        }
    }

    private static void requirePositive(String field, Number value) {
        if (value != null && value.longValue() <= 0) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, field + " must be positive");
        }
    }
}
