package io.caravan.usage;

import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Usage reports, read from the daily rollups only (never a scan of the events): a tenant's week is a handful of
 * rows per model, however many calls it made.
 */
@Service
public class UsageReports {

    /** How a tenant's report is grouped. */
    public enum Grouping {
        MODEL, DAY;

        /** {@code model} or {@code day}, as the API and the command line spell it. */
        public static Grouping fromWire(String value) {
            for (Grouping grouping : values()) {
                if (grouping.name().toLowerCase(Locale.ROOT).equals(value)) {
                    return grouping;
                }
            }
            throw new IllegalArgumentException("groupBy must be 'model' or 'day'");
        }
    }

    private static final String SUMS = "SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, "
            + "SUM(completion_tokens) AS completion_tokens, SUM(embedding_tokens) AS embedding_tokens";

    // the SQL is fixed text per grouping; only the bind parameters come from the request
    private static final String BY_MODEL = "SELECT model, provider, kind, " + SUMS + " FROM usage_daily "
            + "WHERE tenant_id = :tenant AND usage_day BETWEEN :from AND :to "
            + "GROUP BY model, provider, kind ORDER BY model, provider, kind";
    private static final String BY_DAY = "SELECT usage_day, model, provider, kind, " + SUMS + " FROM usage_daily "
            + "WHERE tenant_id = :tenant AND usage_day BETWEEN :from AND :to "
            + "GROUP BY usage_day, model, provider, kind ORDER BY usage_day, model, provider, kind";
    // across tenants (erased ones included: their ledger is kept) through a database function, the only reader of
    // another tenant's usage rows (on PostgreSQL row-level security hides them from the hub's role otherwise)
    private static final String BY_TENANT_AND_MODEL = "SELECT tenant_id, model, provider, kind, requests, "
            + "prompt_tokens, completion_tokens, embedding_tokens FROM caravan_usage_by_tenant(:from, :to) "
            + "ORDER BY tenant_id, model, provider, kind";

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;

    public UsageReports(JdbcClient jdbc, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /** One tenant's usage in the period, per model (and kind) or per day and model. */
    public List<UsageRow> forTenant(TenantId tenant, UsagePeriod period, Grouping grouping) {
        boolean byDay = grouping == Grouping.DAY;
        return transactions.call(tenant, () -> jdbc.sql(byDay ? BY_DAY : BY_MODEL)
                .param("tenant", tenant.value())
                .param("from", period.from())
                .param("to", period.to())
                .query((rs, row) -> new UsageRow(null,
                        byDay ? rs.getObject("usage_day", LocalDate.class) : null,
                        rs.getString("model"), rs.getString("provider"), rs.getString("kind"),
                        rs.getLong("requests"), rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"),
                        rs.getLong("embedding_tokens")))
                .list());
    }

    /** Every tenant's usage in the period, per tenant and model; for the operator, never for a tenant. */
    public List<UsageRow> acrossTenants(UsagePeriod period) {
        return jdbc.sql(BY_TENANT_AND_MODEL)
                .param("from", period.from())
                .param("to", period.to())
                .query((rs, row) -> new UsageRow(rs.getString("tenant_id"), null, rs.getString("model"),
                        rs.getString("provider"), rs.getString("kind"), rs.getLong("requests"),
                        rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"),
                        rs.getLong("embedding_tokens")))
                .list();
    }
}
