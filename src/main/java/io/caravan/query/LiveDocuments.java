package io.caravan.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.caravan.ingest.DocumentRegistry;
import io.caravan.tenancy.CorpusVersion;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Which retrieved documents are indexed, remembered per tenant and corpus version (per replica), so that a
 * query asks the registry only about documents it has not seen indexed at this version.
 *
 * <p>Sound because the corpus version is bumped in the same transaction as every change of a document to or
 * from {@code indexed}: a document seen indexed by a query that had read version V stays indexed as long as
 * the version is V. A query reads the version before it searches, so one that starts after a deletion has
 * committed reads the new version and never uses what was known before it. The version carries the tenant's
 * creation time: a tenant erased and created again under its id starts its versions over (other replicas
 * cannot be told to forget it).
 */
@Component
public class LiveDocuments {

    /** Tenant and corpus version pairs remembered, and documents remembered for each (a bound on memory). */
    static final int MAX_VERSIONS = 256;
    static final int MAX_DOCUMENTS_PER_VERSION = 1024;

    private record Key(TenantId tenant, CorpusVersion corpus) {
    }

    private final DocumentRegistry documents;
    // upkeep on the caller's thread: no other thread to wake on the query path
    private final Cache<Key, Set<String>> indexed = Caffeine.newBuilder().maximumSize(MAX_VERSIONS)
            .expireAfterAccess(Duration.ofMinutes(10)).executor(Runnable::run).build();

    public LiveDocuments(DocumentRegistry documents) {
        this.documents = documents;
    }

    /** The documents among these that are indexed, as of the corpus version the caller read before searching. */
    public Set<String> indexedAmong(TenantId tenant, CorpusVersion corpus, Collection<String> documentIds) {
        if (tenant == null) {
            throw new MissingTenantException("live documents");
        }
        Set<String> known = indexed.get(new Key(tenant, corpus), key -> ConcurrentHashMap.newKeySet());
        Set<String> unknown = new HashSet<>();
        Set<String> live = new HashSet<>();
        for (String id : documentIds) {
            (known.contains(id) ? live : unknown).add(id);
        }
        if (!unknown.isEmpty()) {
            Set<String> found = documents.indexedAmong(tenant, unknown);
            live.addAll(found);
            for (String id : found) {
                if (known.size() >= MAX_DOCUMENTS_PER_VERSION) {
                    break;
                }
                known.add(id);
            }
        }
        return live;
    }

    /** Forgets the tenant (its erasure: a tenant created again with the id starts its versions over). */
    public void forget(TenantId tenant) {
        if (tenant == null) {
            throw new MissingTenantException("live documents");
        }
        indexed.asMap().keySet().removeIf(key -> key.tenant().equals(tenant));
    }
}
