package io.caravan.sources;

import io.caravan.tenancy.Tenant;
import io.caravan.tenancy.TenantChanged;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Runs one connector instance per tenant source, matching each tenant's {@code config.sources}: at start-up, after
 * every config change (started, restarted when changed, stopped and removed when gone) and on tenant deletion (all
 * stopped). An instance is a Kamelet route {@code <kamelet>/<tenant>.<sourceId>} plus the route
 * {@code source.<tenant>.<sourceId>} that hands its items to {@code direct:ingest-source-item}. A source whose binding
 * refuses it or whose routes do not start is {@code failing}; nothing else is affected.
 *
 * <p>Instances run in this replica. With several replicas each runs every source unless
 * {@code caravan.sources.enabled} is {@code false} on all but one (see {@link SourceSettings#enabled()}): a replica
 * with sources disabled starts none, and its {@code GET /api/v1/sources} shows them {@code stopped}.
 */
@Component
public class SourceManager {

    private static final Logger LOG = LoggerFactory.getLogger(SourceManager.class);
    private static final String ITEM_ROUTE = "direct:ingest-source-item";

    /** A configured source of a tenant: the config it was started from and its routes (null while failing). */
    private record Instance(TenantConfig.Source source, String kamelet, String routeId, String kameletRouteId) {
    }

    private final CamelContext camel;
    private final SourceBindings bindings;
    private final TenantRegistry tenants;
    private final SourceStatuses statuses;
    private final SourceSettings settings;
    private final Map<TenantId, Map<String, Instance>> instances = new HashMap<>();

    public SourceManager(CamelContext camel, SourceBindings bindings, TenantRegistry tenants, SourceStatuses statuses,
                         SourceSettings settings) {
        this.camel = camel;
        this.bindings = bindings;
        this.tenants = tenants;
        this.statuses = statuses;
        this.settings = settings;
    }

    /** Starts every tenant's sources once the application (and its Camel context) is up. */
    @EventListener(ApplicationReadyEvent.class)
    public void startAll() {
        if (!settings.enabled()) {
            LOG.info("Sources are disabled on this replica (caravan.sources.enabled=false): it runs no source routes");
            return;
        }
        for (Tenant tenant : tenants.list()) {
            try {
                reconcile(tenant.id());
            } catch (RuntimeException e) {
                LOG.error("Could not start the sources of tenant {}", tenant.id(), e);
            }
        }
    }

    /** After the change is committed (or at once when there was no transaction, as for deletion). */
    @TransactionalEventListener(fallbackExecution = true)
    public void onTenantChanged(TenantChanged event) {
        reconcile(event.tenant());
    }

    /** Makes the tenant's running instances match its stored config (none when the tenant is gone). */
    public synchronized void reconcile(TenantId tenant) {
        if (!settings.enabled()) {
            return; // nothing runs here, so nothing to start or stop; the statuses stay empty (stopped)
        }
        List<TenantConfig.Source> wanted = tenants.find(tenant).map(t -> t.config().sources()).orElse(List.of());
        Map<String, Instance> current = instances.computeIfAbsent(tenant, t -> new LinkedHashMap<>());
        Set<String> wantedIds = wanted.stream().map(TenantConfig.Source::id).collect(Collectors.toSet());
        for (String id : new ArrayList<>(current.keySet())) {
            if (!wantedIds.contains(id)) {
                stop(tenant, id);
                statuses.remove(tenant, id);
            }
        }
        for (TenantConfig.Source source : wanted) {
            Instance existing = current.get(source.id());
            boolean healthy = statuses.find(tenant, source.id())
                    .map(s -> s.state() == SourceStatuses.State.RUNNING).orElse(false);
            if (existing != null && existing.source().equals(source) && healthy) {
                continue; // unchanged and running; a failing one is retried (its secret may exist now)
            }
            if (existing != null) {
                stop(tenant, source.id());
            }
            start(tenant, source);
        }
        if (current.isEmpty()) {
            instances.remove(tenant);
        }
    }

    /** Stops and removes all of the tenant's instances (the tenant is being erased). */
    public synchronized void stopAll(TenantId tenant) {
        Map<String, Instance> current = instances.getOrDefault(tenant, Map.of());
        for (String id : new ArrayList<>(current.keySet())) {
            stop(tenant, id);
            statuses.remove(tenant, id);
        }
        instances.remove(tenant);
    }

    /** Restarts one instance now: sources that run at start (the web crawl) run again. */
    public synchronized void restart(TenantId tenant, String sourceId) {
        if (!settings.enabled()) {
            throw new IllegalStateException("sources are disabled on this replica (caravan.sources.enabled=false)");
        }
        Instance existing = Optional.ofNullable(instances.get(tenant)).map(m -> m.get(sourceId))
                .orElseThrow(() -> new IllegalArgumentException("tenant " + tenant + " has no source " + sourceId));
        stop(tenant, sourceId);
        start(tenant, existing.source());
    }

    /** The route ids of a running instance: its own route and the Kamelet's, empty when it does not run. */
    public synchronized List<String> routeIds(TenantId tenant, String sourceId) {
        Instance instance = Optional.ofNullable(instances.get(tenant)).map(m -> m.get(sourceId)).orElse(null);
        return instance == null || instance.routeId() == null ? List.of()
                : List.of(instance.routeId(), instance.kameletRouteId());
    }

    private void start(TenantId tenant, TenantConfig.Source source) {
        Map<String, Instance> current = instances.computeIfAbsent(tenant, t -> new LinkedHashMap<>());
        Optional<SourceBinding> binding = bindings.find(source.type());
        if (binding.isEmpty()) {
            fail(tenant, source, null, "unknown source type '" + source.type() + "'; this hub runs " + bindings.types());
            return;
        }
        Map<String, String> properties;
        try {
            properties = binding.get().properties(tenant, source);
        } catch (IllegalArgumentException e) {
            fail(tenant, source, binding.get().kamelet(), e.getMessage());
            return;
        }
        String instanceId = tenant.value() + "." + source.id(); // '.' never occurs in tenant ids: no two collide
        String routeId = "source." + instanceId;
        Map<String, String> all = new LinkedHashMap<>();
        all.put("tenantId", tenant.value());
        all.put("sourceId", source.id());
        all.putAll(properties);
        String uri;
        try {
            uri = "kamelet:" + binding.get().kamelet() + "/" + instanceId + "?" + query(all);
        } catch (IllegalArgumentException e) {
            fail(tenant, source, binding.get().kamelet(), e.getMessage());
            return;
        }
        current.put(source.id(), new Instance(source, binding.get().kamelet(), routeId, instanceId));
        statuses.running(tenant, source.id(), source.type()); // before the start: a run at start sees itself current
        try {
            camel.addRoutes(new RouteBuilder(camel) {
                @Override
                public void configure() {
                    from(uri).routeId(routeId).to(ITEM_ROUTE);
                }
            });
            LOG.info("Started source {} ({}) as route {}", source.id(), source.type(), routeId);
        } catch (Exception e) {
            // the message may quote the endpoint URI: never let property values (secrets) reach the log or the API
            String error = redact("routes did not start: " + describe(e), properties);
            removeRoutes(binding.get().kamelet(), routeId, instanceId);
            fail(tenant, source, binding.get().kamelet(), error);
        }
    }

    private void fail(TenantId tenant, TenantConfig.Source source, String kamelet, String error) {
        instances.computeIfAbsent(tenant, t -> new LinkedHashMap<>())
                .put(source.id(), new Instance(source, kamelet, null, null));
        statuses.failing(tenant, source.id(), source.type(), error);
        LOG.warn("Source {} ({}) is failing: {}", source.id(), source.type(), error);
    }

    private void stop(TenantId tenant, String sourceId) {
        statuses.stopping(tenant, sourceId); // a run in progress ends at its next item
        Instance instance = Optional.ofNullable(instances.get(tenant)).map(m -> m.remove(sourceId)).orElse(null);
        if (instance != null && instance.routeId() != null) {
            removeRoutes(instance.kamelet(), instance.routeId(), instance.kameletRouteId());
            LOG.info("Stopped source {} (route {})", sourceId, instance.routeId());
        }
    }

    /** The Kamelet's route first (its consumer produces the items), then ours; also their cached endpoints. */
    private void removeRoutes(String kamelet, String routeId, String kameletRouteId) {
        for (String id : List.of(kameletRouteId, routeId)) {
            try {
                if (camel.getRoute(id) != null) {
                    camel.getRouteController().stopRoute(id, settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    camel.removeRoute(id);
                }
            } catch (Exception e) {
                LOG.warn("Could not remove route {}: {}", id, describe(e));
            }
        }
        try {
            // a cached Kamelet endpoint would be reused without re-creating its route
            camel.removeEndpoints("kamelet://" + kamelet + "/" + kameletRouteId + "?*");
            camel.removeEndpoints("kamelet://" + kamelet + "/" + kameletRouteId);
        } catch (Exception e) {
            LOG.warn("Could not remove the endpoints of {}: {}", kameletRouteId, describe(e));
        }
    }

    /** Every value RAW, so URLs, commas, '&' and secrets pass unchanged and unparsed. */
    static String query(Map<String, String> properties) {
        StringBuilder query = new StringBuilder();
        properties.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            if (!query.isEmpty()) {
                query.append('&');
            }
            query.append(name).append('=').append(raw(name, value));
        });
        return query.toString();
    }

    private static String raw(String name, String value) {
        if (!value.contains(")")) {
            return "RAW(" + value + ")";
        }
        if (!value.contains("}")) {
            return "RAW{" + value + "}";
        }
        throw new IllegalArgumentException("the value of '" + name + "' contains both ')' and '}'");
    }

    private static String redact(String text, Map<String, String> properties) {
        String redacted = text;
        for (String value : properties.values()) {
            if (value != null && value.length() >= 6) {
                redacted = redacted.replace(value, "xxxxxx");
            }
        }
        return redacted;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 500 ? message.substring(0, 500) + "…" : message;
    }
}
