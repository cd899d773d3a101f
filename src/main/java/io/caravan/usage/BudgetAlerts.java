package io.caravan.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.observability.TenantMdc;
import io.caravan.observability.TenantMetrics;
import io.caravan.secrets.TenantSecrets;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantNotFoundException;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.tenancy.TenantTransactions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Budget alerts: when a tenant's usage in a period crosses one of its {@code budgets.alertThresholds}
 * (default 0.8 and 1.0), exactly one alert per threshold and period — a structured log event,
 * {@code rag_budget_alerts_total} and, if the tenant configured {@code budgets.alertWebhookUrl}, a POST signed
 * with HMAC-SHA256 using the tenant secret {@value #SIGNING_SECRET} (header {@value #SIGNATURE_HEADER}).
 * <p>
 * The checks run on a thread of their own, once the usage's transaction has completed and released its
 * connection: checking inside its completion would hold that connection while asking the pool for another, and
 * enough concurrent usage commits (queries answered at once) would exhaust the pool. At most one check per
 * tenant and budget waits at a time; it reads the usage as it is when it runs, so usage committed while it
 * waited is checked too. A check lost in a crash or at shutdown is made up by the next usage commit (alerts
 * follow the usage level, not the events).
 */
@Component
public class BudgetAlerts implements AutoCloseable {

    static final List<Double> DEFAULT_THRESHOLDS = List.of(0.8, 1.0);
    public static final String SIGNING_SECRET = "alert-webhook-secret";
    public static final String SIGNATURE_HEADER = "X-Caravan-Signature-256";
    private static final Logger LOG = LoggerFactory.getLogger(BudgetAlerts.class);

    private final TokenBudgets budgets;
    private final TenantRegistry tenants;
    private final TenantSecrets secrets;
    private final TenantMetrics metrics;
    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final TransactionTemplate ownTransaction;
    private final ObjectMapper json;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The checks waiting, per tenant and budget, with whether a refused reservation asked for one. */
    private final Map<Pending, Boolean> pending = new ConcurrentHashMap<>();
    /** Checks handed to the thread and not finished yet. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExecutorService checks;

    private record Pending(TenantId tenant, Budget budget, String period) {
    }

    public BudgetAlerts(TokenBudgets budgets, TenantRegistry tenants, TenantSecrets secrets, TenantMetrics metrics,
                        JdbcClient jdbc, TenantTransactions transactions, PlatformTransactionManager transactionManager,
                        ObjectMapper json, Clock clock) {
        this.budgets = budgets;
        this.tenants = tenants;
        this.secrets = secrets;
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.json = json;
        this.clock = clock;
        CustomizableThreadFactory threads = new CustomizableThreadFactory("budget-alerts-");
        threads.setDaemon(true);
        this.checks = Executors.newSingleThreadExecutor(threads);
    }

    /** Runs once the usage is committed: queues a check of the tenant's budget, unless one is waiting. */
    @TransactionalEventListener(fallbackExecution = true)
    public void onUsage(TokenBudgets.UsageCommitted event) {
        Pending key = new Pending(event.tenant(), event.budget(), event.period());
        boolean[] queued = {false};
        pending.compute(key, (k, exhausted) -> {
            queued[0] = exhausted == null;
            return exhausted == null ? event.exhausted() : exhausted || event.exhausted();
        });
        if (!queued[0]) {
            return;
        }
        inFlight.incrementAndGet();
        try {
            checks.execute(() -> runCheck(key));
        } catch (RejectedExecutionException closing) {
            pending.remove(key);
            inFlight.decrementAndGet(); // shutting down: the next usage commit after a restart checks again
        }
    }

    private void runCheck(Pending key) {
        try (TenantMdc.Scope scope = TenantMdc.open(key.tenant())) {
            Boolean exhausted = pending.remove(key);
            check(key.tenant(), key.budget(), key.period(), Boolean.TRUE.equals(exhausted));
        } catch (RuntimeException e) {
            LOG.warn("Budget alert check of tenant {}, budget {} failed: {}", key.tenant(), key.budget().key(),
                    e.toString());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** No check waiting or running. */
    public boolean idle() {
        return inFlight.get() == 0;
    }

    @Override
    public void close() {
        checks.shutdown();
        try {
            if (!checks.awaitTermination(5, TimeUnit.SECONDS)) {
                checks.shutdownNow();
            }
        } catch (InterruptedException e) {
            checks.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Fires the alerts for every threshold the current usage has crossed and that has not fired yet. A
     * refused reservation counts as reaching the whole budget: reservations never let usage pass it.
     */
    public void check(TenantId tenant, Budget budget, boolean exhausted) {
        check(tenant, budget, budget.period(clock.instant()), exhausted);
    }

    /** {@link #check(TenantId, Budget, boolean)} for the period the usage counted in (a check may run later). */
    public void check(TenantId tenant, Budget budget, String period, boolean exhausted) {
        // the registry's cached config (this runs after every document's usage commit); a change made through
        // this replica is seen at once, one made through another within the cache's TTL. A refusal (rare) reads
        // the config as stored, as the refused reservation did: its alert names the limit that refused it
        TenantConfig.Budgets config;
        try {
            config = (exhausted ? tenants.require(tenant).config() : tenants.config(tenant)).budgets();
        } catch (TenantNotFoundException erased) {
            return;
        }
        Long limit = budget == Budget.LLM_DAILY ? config.llmTokensPerDay() : config.embeddingTokensPerMonth();
        if (limit == null || limit <= 0) {
            return; // no such budget: no transaction either
        }
        try {
            // a transaction of its own (the alerts' thread has none; a caller's would not decide for the alerts)
            ownTransaction.executeWithoutResult(status -> checkUsage(tenant, budget, period, exhausted, config, limit));
        } catch (TenantNotFoundException erased) {
            // erased through another replica since its config was cached: nothing to alert
        }
    }

    private void checkUsage(TenantId tenant, Budget budget, String period, boolean exhausted,
                            TenantConfig.Budgets config, long limit) {
        long used = exhausted ? limit : budgets.usage(tenant, budget, period, limit).used();
        List<Double> thresholds = config.alertThresholds() == null || config.alertThresholds().isEmpty()
                ? DEFAULT_THRESHOLDS : config.alertThresholds();
        for (double threshold : thresholds) {
            if (used >= threshold * limit && claim(tenant, budget, period, label(threshold))) {
                fire(tenant, budget, period, label(threshold), used, limit, config.alertWebhookUrl());
            }
        }
    }

    private boolean claim(TenantId tenant, Budget budget, String period, String threshold) {
        try {
            // a savepoint: the next threshold's claim still runs in this transaction after a duplicate
            return transactions.attempt(tenant, () -> jdbc.sql("""
                    INSERT INTO budget_alerts (tenant_id, budget, period, threshold, fired_at)
                    VALUES (:tenant, :budget, :period, :threshold, :now)""")
                    .param("tenant", tenant.value()).param("budget", budget.key()).param("period", period)
                    .param("threshold", threshold)
                    .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                    .update() > 0);
        } catch (DuplicateKeyException alreadyFired) {
            return false;
        }
    }

    private void fire(TenantId tenant, Budget budget, String period, String threshold, long used, long limit,
                      String webhookUrl) {
        LOG.warn("budget_alert budget={} threshold={} period={} used={} limit={}", budget.key(), threshold, period,
                used, limit);
        metrics.budgetAlert(tenant, budget.key(), threshold);
        if (webhookUrl == null || webhookUrl.isBlank()) {
            return;
        }
        Optional<String> key = secrets.read(tenant, SIGNING_SECRET);
        if (key.isEmpty()) {
            LOG.warn("Budget alert webhook configured but secret '{}' is missing; not sent", SIGNING_SECRET);
            return;
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("tenant", tenant.value());
        payload.put("budget", budget.key());
        payload.put("threshold", Double.parseDouble(threshold));
        payload.put("period", period);
        payload.put("used", used);
        payload.put("limit", limit);
        payload.put("at", clock.instant().toString());
        try {
            byte[] body = json.writeValueAsBytes(payload);
            HttpRequest request = HttpRequest.newBuilder(URI.create(webhookUrl))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header(SIGNATURE_HEADER, "sha256=" + hmac(key.get(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            Map<String, String> mdc = MDC.getCopyOfContextMap();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                // the HTTP client's thread: carry the tenant's log context over
                if (mdc != null) {
                    MDC.setContextMap(mdc);
                }
                try {
                    if (error != null || response.statusCode() >= 300) {
                        LOG.warn("Budget alert webhook failed: {}",
                                error != null ? error.getClass().getSimpleName() : "HTTP " + response.statusCode());
                    }
                } finally {
                    MDC.clear();
                }
            });
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.warn("Budget alert webhook for tenant {} not sent: {}", tenant, e.getMessage());
        }
    }

    static String hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String label(double threshold) {
        return Double.toString(threshold);
    }
}
