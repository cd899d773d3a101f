package io.caravan.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.caravan.usage.Budget;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;

/**
 * The H2 implementations of the database functions the PostgreSQL migrations define (see
 * {@code db/migration/h2/V6__...}), so the hub's SQL is the same in both modes. H2 calls them by name.
 */
public final class H2Functions {

    /** Immutable once built, and H2 calls only static methods: a constant, not state. */
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private H2Functions() {
    }

    /** {@code set_config(name, value, is_local)}: H2 has no row-level security to feed, so it only answers. */
    public static String setConfig(String name, String value, boolean local) {
        return value;
    }

    /** {@code caravan_api_key_tenant(hash)}: the tenant owning the live key with this hash, or null. */
    public static String apiKeyTenant(Connection connection, String hash) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT tenant_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")) {
            statement.setString(1, hash);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** {@code caravan_usage_by_tenant(from, to)}: the daily rollups summed per tenant, model, provider and kind. */
    public static ResultSet usageByTenant(Connection connection, Date from, Date to) throws SQLException {
        PreparedStatement statement = connection.prepareStatement("""
                SELECT tenant_id, model, provider, kind, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens,
                       SUM(completion_tokens) AS completion_tokens, SUM(embedding_tokens) AS embedding_tokens
                FROM usage_daily WHERE usage_day BETWEEN ? AND ?
                GROUP BY tenant_id, model, provider, kind""");
        statement.setDate(1, from);
        statement.setDate(2, to);
        return statement.executeQuery();
    }

    /** {@code caravan_row_security_bypassed()}: H2 has no row-level security, so there is nothing to bypass. */
    public static boolean rowSecurityBypassed() {
        return false;
    }

    /**
     * {@code caravan_budget_limit(config_json, budget)}: the budget's limit in a tenant's config document, or null
     * when it has none (unlimited). As on PostgreSQL, anything but a whole number within BIGINT is an error, never
     * read as unlimited (the config API writes only whole numbers).
     */
    public static Long budgetLimit(String config, String budget) throws JsonProcessingException {
        String field = Budget.ofKey(budget).configField();
        JsonNode limit = JSON.readTree(config).path("budgets").path(field);
        if (limit.isMissingNode() || limit.isNull()) {
            return null;
        }
        try {
            if (!limit.isNumber()) {
                throw new ArithmeticException("not a number");
            }
            return limit.decimalValue().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("budgets." + field + " is not a whole number of tokens: " + limit, e);
        }
    }

    /** Used once, by the migration that turned base64 payload text into bytes. */
    public static byte[] base64Decode(String text) {
        return text == null ? null : Base64.getDecoder().decode(text);
    }
}
