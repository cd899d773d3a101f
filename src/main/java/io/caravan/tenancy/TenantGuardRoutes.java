package io.caravan.tenancy;

import io.caravan.observability.TenantMetrics;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.support.ExchangeHelper;
import org.springframework.stereotype.Component;

/**
 * Global route configuration (no id, so it applies to every Java, YAML and Kamelet route): an exchange
 * that enters a route without a valid tenant header fails with {@link MissingTenantException} (or
 * {@link InvalidTenantIdException}).
 *
 * <p>The only exemptions are listed here: edge routes that resolve the tenant themselves, and the
 * internal routes of connector Kamelets, whose first step stamps the tenant from their required
 * {@code tenantId} parameter.
 */
@Component
public class TenantGuardRoutes extends RouteConfigurationBuilder {

    /** Routes that resolve the tenant themselves (webhooks verify a signature first). */
    static final Set<String> EDGE_ROUTES = Set.of();

    private final TenantMetrics metrics;

    public TenantGuardRoutes(TenantMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void configuration() {
        routeConfiguration()
                .interceptFrom("*")
                .when(exchange -> TenantHeader.peek(exchange).isEmpty() && !isExempt(exchange))
                .process(this::reject);
    }

    private void reject(Exchange exchange) {
        metrics.tenantMissing("route");
        if (TenantHeader.isPresent(exchange)) {
            TenantHeader.require(exchange); // throws InvalidTenantIdException naming the bad value
        }
        throw new MissingTenantException("exchange entering route " + ExchangeHelper.getRouteId(exchange));
    }

    /** Decided on the route being entered, not the one the exchange started in. */
    static boolean isExempt(Exchange exchange) {
        String routeId = ExchangeHelper.getRouteId(exchange);
        if (routeId == null) {
            routeId = exchange.getFromRouteId();
        }
        if (routeId != null && EDGE_ROUTES.contains(routeId)) {
            return true;
        }
        Route route = routeId == null ? null : exchange.getContext().getRoute(routeId);
        return route != null && route.isCreatedByKamelet();
    }
}
