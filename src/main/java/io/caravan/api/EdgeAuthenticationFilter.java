package io.caravan.api;

import io.caravan.observability.TenantMdc;
import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.AdminToken;
import io.caravan.tenancy.ApiKeys;
import io.caravan.tenancy.TenantId;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * The HTTP edge. {@code /api/**} requires a tenant API key, which alone decides the tenant; {@code /admin/**}
 * requires the admin token (a tenant key there is 403); {@code /webhooks/**} needs neither (signed per tenant, see
 * {@link MessengerWebhookController}). Paths with dot segments are refused before any of these decisions. The resolved tenant is put on the request for
 * {@link RequestTenant} and into the log MDC; nothing the client sends can name another tenant.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class EdgeAuthenticationFilter extends OncePerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeAuthenticationFilter.class);
    static final String TENANT_ATTRIBUTE = EdgeAuthenticationFilter.class.getName() + ".tenant";
    static final String ADMIN_ATTRIBUTE = EdgeAuthenticationFilter.class.getName() + ".admin";
    private static final UrlPathHelper PATHS = urlPathHelper();

    private final ApiKeys apiKeys;
    private final AdminToken adminToken;
    private final Problems problems;
    private final TenantMetrics metrics;

    public EdgeAuthenticationFilter(ApiKeys apiKeys, AdminToken adminToken, Problems problems,
                                    TenantMetrics metrics) {
        this.apiKeys = apiKeys;
        this.adminToken = adminToken;
        this.problems = problems;
        this.metrics = metrics;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // decide on the path as Spring MVC will route it (decoded, ";params" removed), never the raw URI:
        // "/%61dmin/..." or "/admin;x/..." must not slip past the admin check
        String path = PATHS.getPathWithinApplication(request);
        if (hasDotSegment(path)) {
            // "/webhooks/../api/..." must not be judged as a webhook here and routed as something else later
            problems.write(response, ErrorCode.INVALID_REQUEST, "the path must not contain '.' or '..' segments");
            return;
        }
        if (path.startsWith("/api/")) {
            Optional<TenantId> tenant;
            try {
                tenant = bearer(request).flatMap(apiKeys::resolve);
            } catch (DataAccessException | TransactionException storeDown) {
                unavailable(path, response, storeDown);
                return;
            }
            if (tenant.isEmpty()) {
                metrics.tenantMissing("http");
                problems.write(response, ErrorCode.UNAUTHENTICATED,
                        "a valid tenant API key is required: Authorization: Bearer <key>");
                return;
            }
            request.setAttribute(TENANT_ATTRIBUTE, tenant.get());
            try (TenantMdc.Scope ignored = TenantMdc.open(tenant.get())) {
                chain.doFilter(request, response);
            }
        } else if (path.startsWith("/admin/")) {
            Optional<String> token = bearer(request);
            if (token.isPresent() && adminToken.matches(token.get())) {
                request.setAttribute(ADMIN_ATTRIBUTE, Boolean.TRUE);
                chain.doFilter(request, response);
                return;
            }
            Optional<TenantId> tenantKey;
            try {
                tenantKey = token.flatMap(apiKeys::resolve);
            } catch (DataAccessException | TransactionException storeDown) {
                unavailable(path, response, storeDown);
                return;
            }
            if (tenantKey.isPresent()) {
                problems.write(response, ErrorCode.FORBIDDEN, "admin endpoints need the admin token, not a tenant key");
            } else {
                problems.write(response, ErrorCode.UNAUTHENTICATED,
                        "the admin token is required: Authorization: Bearer <admin token>");
            }
        } else if (path.startsWith("/webhooks/")) {
            // no API key: each webhook controller authenticates the call by its signature and only then takes the
            // tenant named in its path
            chain.doFilter(request, response);
        } else {
            chain.doFilter(request, response);
        }
    }

    /**
     * The key lookup failed on the database. It runs before Spring MVC, so without this the client would get the
     * container's error page, not problem+json; nothing of the request was handled, so it may be retried.
     */
    private void unavailable(String path, HttpServletResponse response, RuntimeException storeDown)
            throws IOException {
        LOG.warn("Request {} not authenticated: the database is unavailable ({})", path, storeDown.toString());
        problems.write(response, ErrorCode.UPSTREAM_UNAVAILABLE, "the hub's database is unavailable; retry later");
    }

    /** A "." or ".." path segment, also when it was percent-encoded or followed by ";params". */
    static boolean hasDotSegment(String path) {
        // a scan, not String.split: a regular expression would be compiled on every request
        int start = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/' || path.charAt(i) == '\\') {
                int length = i - start;
                if ((length == 1 || length == 2) && path.charAt(start) == '.'
                        && (length == 1 || path.charAt(start + 1) == '.')) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Paths as Spring MVC routes them: decoded, ";params" removed. */
    static UrlPathHelper urlPathHelper() {
        UrlPathHelper helper = new UrlPathHelper();
        helper.setUrlDecode(true);
        helper.setRemoveSemicolonContent(true);
        return helper;
    }

    private static Optional<String> bearer(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String value = header.substring(7).trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}
