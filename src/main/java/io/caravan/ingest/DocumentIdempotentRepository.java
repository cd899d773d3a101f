package io.caravan.ingest;

import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.stereotype.Component;

/**
 * The durable repository of the index route's idempotent consumer. The key is the sha256 of the document's
 * normalised extracted text; it is claimed in the document registry (unique per tenant), so the same text
 * twice for a tenant is one document, the same text for two tenants is two, and two identical documents
 * racing each other produce one winner. A document that already holds the key (it was interrupted by a
 * crash and is being redone) is not its own duplicate. Keys are always scoped by the exchange's tenant:
 * the tenant-less methods refuse to work.
 */
@Component("ingestIdempotentRepository")
public class DocumentIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private final DocumentRegistry documents;

    public DocumentIdempotentRepository(DocumentRegistry documents) {
        this.documents = documents;
    }

    @Override
    public boolean add(Exchange exchange, String textHash) {
        return documents.claimTextHash(TenantHeader.require(exchange), documentId(exchange), textHash);
    }

    @Override
    public boolean contains(Exchange exchange, String textHash) {
        TenantId tenant = TenantHeader.require(exchange);
        return documents.findByTextHash(tenant, textHash)
                .filter(owner -> !owner.documentId().equals(documentId(exchange)))
                .isPresent();
    }

    @Override
    public boolean remove(Exchange exchange, String textHash) {
        return documents.releaseTextHash(TenantHeader.require(exchange), documentId(exchange), textHash);
    }

    @Override
    public boolean confirm(Exchange exchange, String textHash) {
        return true;
    }

    @Override
    public boolean add(String key) {
        throw tenantRequired();
    }

    @Override
    public boolean contains(String key) {
        throw tenantRequired();
    }

    @Override
    public boolean remove(String key) {
        throw tenantRequired();
    }

    @Override
    public boolean confirm(String key) {
        throw tenantRequired();
    }

    @Override
    public void clear() {
        throw tenantRequired();
    }

    private static String documentId(Exchange exchange) {
        String documentId = exchange.getProperty(IndexingPipeline.DOCUMENT_ID, String.class);
        if (documentId == null) {
            throw new IllegalStateException("the idempotent consumer runs after the fetch stage");
        }
        return documentId;
    }

    private static UnsupportedOperationException tenantRequired() {
        return new UnsupportedOperationException("idempotency keys are per tenant: use the exchange-aware methods");
    }
}
