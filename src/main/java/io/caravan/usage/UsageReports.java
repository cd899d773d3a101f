package io.caravan.usage;

import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantNotFoundException;
import io.caravan.tenancy.TenantTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Usage reports, read from the daily rollups (a tenant's week is a handful of rows per model, however many calls it
 * made); only the day a tenant was created is read from its events, so that a tenant created again under an erased
 * tenant's id never sees that tenant's usage.
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

    // the SQL is fixed text per grouping; only the bind parameters come from the request. A tenant sees the usage
    // of its own lifetime only: an erased tenant's ledger is kept, and a tenant created again under its id must not
    // see it. The days after the tenant's creation come from the rollups; the day of its creation (whose rollup
    // may hold an erased namesake's calls too) from that day's events since its creation.
    private static final String OWN_USAGE = "SELECT usage_day, model, provider, kind, requests, prompt_tokens, "
            + "completion_tokens, embedding_tokens FROM usage_daily "
            + "WHERE tenant_id = :tenant AND usage_day BETWEEN :from AND :to AND usage_day > :createdDay "
            + "UNION ALL SELECT CAST(:createdDay AS DATE), model, provider, kind, 1, prompt_tokens, "
            + "completion_tokens, embedding_tokens FROM usage_events "
            + "WHERE tenant_id = :tenant AND occurred_at >= :createdAt AND occurred_at < :dayAfterCreation "
            + "AND CAST(:createdDay AS DATE) BETWEEN :from AND :to";
    // the operator's view of one id's ledger: every row under it, erased namesakes' included
    private static final String LEDGER = "SELECT usage_day, model, provider, kind, requests, prompt_tokens, "
            + "completion_tokens, embedding_tokens FROM usage_daily "
            + "WHERE tenant_id = :tenant AND usage_day BETWEEN :from AND :to";
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

    /** One tenant's usage in the period, per model (and kind) or per day and model: its own lifetime's only. */
    public List<UsageRow> forTenant(TenantId tenant, UsagePeriod period, Grouping grouping) {
        boolean byDay = grouping == Grouping.DAY;
        return transactions.call(tenant, () -> {
            OffsetDateTime createdAt = jdbc.sql("SELECT created_at FROM tenants WHERE id = :tenant")
                    .param("tenant", tenant.value())
                    .query((rs, row) -> rs.getObject(1, OffsetDateTime.class))
                    .optional()
                    .orElseThrow(() -> new TenantNotFoundException(tenant.value()))
                    .withOffsetSameInstant(ZoneOffset.UTC);
            LocalDate createdDay = createdAt.toLocalDate();
            return ownUsage(tenant, period, byDay, createdAt, createdDay);
        });
    }

    /**
     * Every usage row recorded under the tenant id in the period, those of erased tenants that had the id included:
     * for the operator (the command line), never for a tenant.
     */
    public List<UsageRow> ledgerOf(TenantId tenant, UsagePeriod period, Grouping grouping) {
        boolean byDay = grouping == Grouping.DAY;
        return transactions.call(tenant, () -> jdbc.sql(grouped(LEDGER, byDay))
                .param("tenant", tenant.value())
                .param("from", period.from())
                .param("to", period.to())
                .query((rs, row) -> row(rs, byDay))
                .list());
    }

    private static String grouped(String rows, boolean byDay) {
        return byDay
                ? "SELECT usage_day, model, provider, kind, " + SUMS + " FROM (" + rows + ") u "
                        + "GROUP BY usage_day, model, provider, kind ORDER BY usage_day, model, provider, kind"
                : "SELECT model, provider, kind, " + SUMS + " FROM (" + rows + ") u "
                        + "GROUP BY model, provider, kind ORDER BY model, provider, kind";
    }

    private static UsageRow row(ResultSet rs, boolean byDay) throws SQLException {
        return new UsageRow(null, byDay ? rs.getObject("usage_day", LocalDate.class) : null,
                rs.getString("model"), rs.getString("provider"), rs.getString("kind"),
                rs.getLong("requests"), rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"),
                rs.getLong("embedding_tokens"));
    }

    private List<UsageRow> ownUsage(TenantId tenant, UsagePeriod period, boolean byDay, OffsetDateTime createdAt,
                                    LocalDate createdDay) {
        return jdbc.sql(grouped(OWN_USAGE, byDay))
                .param("tenant", tenant.value())
                .param("from", period.from())
                .param("to", period.to())
                .param("createdDay", createdDay)
                .param("createdAt", createdAt)
                .param("dayAfterCreation", createdDay.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC))
                .query((rs, row) -> row(rs, byDay))
                .list();
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
