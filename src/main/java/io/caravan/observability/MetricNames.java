package io.caravan.observability;

/** Micrometer names of the hub's meters; Prometheus renders them as in DESIGN.md §6. */
public final class MetricNames {

    public static final String PREFIX = "rag.";
    public static final String TENANT_TAG = "tenant_id";

    public static final String QUERY_LATENCY = "rag.query.latency";           // rag_query_latency_seconds
    public static final String QUERY_EMBEDDINGS = "rag.query.embeddings";     // rag_query_embeddings_total
    public static final String INGEST_DOCUMENTS = "rag.ingest.documents";     // rag_ingest_documents_total
    public static final String INGEST_STAGE = "rag.ingest.stage";             // rag_ingest_stage_seconds
    public static final String EMBEDDING_TOKENS = "rag.embedding.tokens";     // rag_embedding_tokens_total
    public static final String LLM_REQUESTS = "rag.llm.requests";             // rag_llm_requests_total
    public static final String LLM_TOKENS = "rag.llm.tokens";                 // rag_llm_tokens_total
    public static final String QUARANTINE_DOCUMENTS = "rag.quarantine.documents"; // rag_quarantine_documents
    public static final String BUDGET_ALERTS = "rag.budget.alerts";           // rag_budget_alerts_total
    public static final String BUDGET_USED_RATIO = "rag.budget.used.ratio";   // rag_budget_used_ratio
    public static final String CIRCUIT_BREAKER_STATE = "rag.circuit.breaker.state"; // rag_circuit_breaker_state
    public static final String ISOLATION_VIOLATIONS = "rag.isolation.violations"; // rag_isolation_violations_total
    public static final String MESSENGER_MESSAGES = "rag.messenger.messages"; // rag_messenger_messages_total
    /** The only rag_* meter without a tenant: requests rejected for having none. */
    public static final String TENANT_MISSING = "rag.tenant.missing";         // rag_tenant_missing_total

    private MetricNames() {
    }
}
