package io.caravan.api;

import io.caravan.ingest.DocumentRegistry;
import io.caravan.ingest.Quarantine;
import io.caravan.llm.LlmRouter;
import io.caravan.observability.TenantGauges;
import io.caravan.observability.TenantMetrics;
import io.caravan.query.AnswerCache;
import io.caravan.query.LiveDocuments;
import io.caravan.usage.TokenBudgets;
import io.caravan.secrets.TenantSecrets;
import io.caravan.sources.messenger.MessengerMessages;
import io.caravan.sources.SourceManager;
import io.caravan.sources.web.WebPageStore;
import io.caravan.tenancy.ApiKeys;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import io.caravan.vector.TenantVectorStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** Tenant offboarding: removes every trace of the tenant from every store and reports what it removed. */
@Service
class TenantErasure {

    private static final Logger LOG = LoggerFactory.getLogger(TenantErasure.class);

    private final TenantRegistry tenants;
    private final ApiKeys apiKeys;
    private final TenantSecrets secrets;
    private final DocumentRegistry documents;
    private final Quarantine quarantine;
    private final TenantVectorStore store;
    private final TokenBudgets budgets;
    private final TenantGauges gauges;
    private final TenantMetrics metrics;
    private final AnswerCache cache;
    private final LiveDocuments liveDocuments;
    private final QueryRateLimiter limiter;
    private final LlmRouter router;
    private final SourceManager sources;
    private final WebPageStore webPages;
    private final MessengerMessages messengerMessages;

    TenantErasure(TenantRegistry tenants, ApiKeys apiKeys, TenantSecrets secrets, DocumentRegistry documents,
                  Quarantine quarantine, TenantVectorStore store, TokenBudgets budgets, TenantGauges gauges,
                  TenantMetrics metrics, AnswerCache cache, LiveDocuments liveDocuments, QueryRateLimiter limiter, LlmRouter router, SourceManager sources,
                  WebPageStore webPages, MessengerMessages messengerMessages) {
        this.tenants = tenants;
        this.apiKeys = apiKeys;
        this.secrets = secrets;
        this.documents = documents;
        this.quarantine = quarantine;
        this.store = store;
        this.budgets = budgets;
        this.gauges = gauges;
        this.metrics = metrics;
        this.cache = cache;
        this.liveDocuments = liveDocuments;
        this.limiter = limiter;
        this.router = router;
        this.sources = sources;
        this.webPages = webPages;
        this.messengerMessages = messengerMessages;
    }

    /** A tenant is created under the id: nothing of an erased tenant of that id may be left, and it is metered. */
    void prepareReuse(TenantId tenant) {
        sweepVectors(tenant);
        metrics.revive(tenant);
    }

    /**
     * Best effort: removes the tenant's vector storage (after its erasure, and when its id is taken again). A
     * failure is logged; chunks left behind are never answered (the registry knows none of their documents).
     */
    int sweepVectors(TenantId tenant) {
        try {
            return store.deleteTenant(tenant);
        } catch (RuntimeException e) {
            LOG.warn("The sweep of tenant {}'s vector storage failed ({}); chunks an index worker wrote while it "
                    + "was erased may remain until the id is used again", tenant, e.toString());
            return 0;
        }
    }

    Dtos.ErasureReport erase(TenantId tenant) {
        // keys first: the tenant's clients lose access before its data goes
        int keys = apiKeys.deleteAll(tenant);
        sources.stopAll(tenant); // no source may add documents while (or after) they are erased
        int quarantined = quarantine.deleteAll(tenant);
        int docs = documents.deleteAll(tenant);
        messengerMessages.deleteAll(tenant); // a tenant created again with this id ingests those messages anew
        int chunks = store.deleteTenant(tenant);
        int secretCount = secrets.deleteAll(tenant);
        webPages.deleteAll(tenant);
        budgets.deleteAll(tenant); // reservations and budget counters: a later tenant with this id starts at zero
        gauges.remove(tenant);
        int cacheEntries = cache.evict(tenant);
        liveDocuments.forget(tenant);
        limiter.forget(tenant);
        router.forget(tenant); // breakers and own-key clients
        // last, fenced: writes of the tenant still in flight (a request authenticated before its keys went, an
        // index worker) finish first, and the tenant row's foreign keys cascade to whatever they added
        tenants.delete(tenant);
        // an index worker that wrote chunks after the store was emptied above: its document is gone, so its
        // own clean-up removes them too; this sweep makes it so even when that worker stopped short
        chunks += sweepVectors(tenant);
        // after the fence: the writes it waited for have recorded their meters by now
        metrics.forget(tenant);
        LOG.info("Erased tenant {}: {} documents, {} chunks, {} secrets, {} keys, {} quarantined",
                tenant, docs, chunks, secretCount, keys, quarantined);
        return new Dtos.ErasureReport(tenant.value(), docs, chunks, secretCount, keys, cacheEntries, quarantined);
    }
}
