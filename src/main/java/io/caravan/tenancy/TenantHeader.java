package io.caravan.tenancy;

import org.apache.camel.Exchange;

/**
 * The only reader (and writer) of the tenant header on a Camel exchange. An architecture test keeps
 * every other class away from the header name.
 */
public final class TenantHeader {

    /**
     * Name of the exchange header carrying the tenant id. Deliberately not a compile-time constant, so
     * every use stays visible to the architecture test instead of being inlined.
     */
    public static final String NAME = String.valueOf("CaravanTenantId");

    private TenantHeader() {
    }

    /** The exchange's tenant; throws {@link MissingTenantException} when it is absent or invalid. */
    public static TenantId require(Exchange exchange) {
        Object value = exchange.getMessage().getHeader(NAME);
        if (value == null) {
            throw new MissingTenantException("exchange " + exchange.getExchangeId()
                    + " (route " + exchange.getFromRouteId() + ")");
        }
        if (value instanceof TenantId tenant) {
            return tenant;
        }
        String text = value instanceof byte[] bytes
                ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : value.toString();
        return TenantId.of(text);
    }

    /** The exchange's tenant when it carries a valid one; never throws (for logging and guards). */
    public static java.util.Optional<TenantId> peek(Exchange exchange) {
        try {
            return isPresent(exchange) ? java.util.Optional.of(require(exchange)) : java.util.Optional.empty();
        } catch (InvalidTenantIdException e) {
            return java.util.Optional.empty();
        }
    }

    /** True when the exchange carries a tenant header (valid or not). */
    public static boolean isPresent(Exchange exchange) {
        return exchange.getMessage().getHeader(NAME) != null;
    }

    /** Stamps the tenant on an exchange; used by the edges that resolved it. */
    public static void set(Exchange exchange, TenantId tenant) {
        exchange.getMessage().setHeader(NAME, tenant.value());
    }

    /** Header map entry for producer-template calls from a resolved edge. */
    public static java.util.Map<String, Object> headers(TenantId tenant) {
        return java.util.Map.of(NAME, tenant.value());
    }

    /** True when a header name is the tenant header in any casing (used to drop client-sent copies). */
    public static boolean isTenantHeader(String headerName) {
        return NAME.equalsIgnoreCase(headerName);
    }
}
