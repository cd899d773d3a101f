package io.caravan.vector;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.chroma.ChromaApiVersion;
import dev.langchain4j.store.embedding.chroma.ChromaEmbeddingStore;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Vectors in a Chroma 1.x server (HTTP API v2): one Chroma database per Caravan tenant ({@code caravan-<tenant>})
 * holding one collection. Every chunk's metadata carries its tenant and every search result is re-checked.
 *
 * <p>Replacing a document adds the new version's chunks (ids derived from the document and a hash of its
 * content) before deleting the old ones. A crash in between leaves both versions stored, never none; searches
 * show only the newest version of a document they see, and the next replace of the document (the pipeline
 * re-runs unfinished documents) deletes the leftovers.
 */
class ChromaVectorStore implements TenantVectorStore {

    static final String TENANT_ID = "tenant_id";
    static final String DOCUMENT_ID = "document_id";
    static final String CHUNK_ID = "chunk_id";
    static final String CHUNK_INDEX = "chunk_index";
    static final String TITLE = "title";
    static final String SOURCE_TYPE = "source_type";
    static final String SOURCE_URI = "source_uri";
    static final String VERSION = "version";
    static final String WRITTEN_AT = "written_at";
    /** Creating a tenant's collection can lose a race three times: the Chroma tenant, the database, the collection. */
    private static final int CREATE_ATTEMPTS = 4;

    private final ChromaSettings settings;
    private final ChromaRest rest;
    private final Clock clock;
    private final Map<TenantId, TenantCollection> open = new ConcurrentHashMap<>();

    ChromaVectorStore(ChromaSettings settings, ChromaRest rest, Clock clock) {
        this.settings = settings;
        this.rest = rest;
        this.clock = clock;
    }

    /** The Chroma database of a tenant: deterministic, and at least the 3 characters Chroma requires. */
    static String databaseOf(TenantId tenant) {
        return "caravan-" + tenant.value();
    }

    @Override
    public void replaceDocument(TenantId tenant, String documentId, List<VectorChunk> chunks) {
        requireTenant(tenant);
        String version = version(documentId, chunks);
        long writtenAt = clock.millis();
        List<String> ids = new ArrayList<>(chunks.size());
        List<Embedding> embeddings = new ArrayList<>(chunks.size());
        List<TextSegment> segments = new ArrayList<>(chunks.size());
        for (VectorChunk chunk : chunks) {
            ids.add(documentId + "@" + version + "#" + chunk.index());
            embeddings.add(Embedding.from(chunk.vector()));
            segments.add(TextSegment.from(chunk.text(), metadata(tenant, documentId, version, writtenAt, chunk)));
        }
        onCollection(tenant, true, null, collection -> {
            List<String> before = rest.idsWhere(collection.database(), collection.id(), DOCUMENT_ID, documentId);
            if (!ids.isEmpty()) {
                // one add request is applied by Chroma as a whole: the new version appears complete or not at all
                collection.store().addAll(ids, embeddings, segments);
            }
            Set<String> keep = new HashSet<>(ids);
            rest.deleteIds(collection.database(), collection.id(),
                    before.stream().filter(id -> !keep.contains(id)).toList());
            return null;
        });
    }

    @Override
    public List<VectorMatch> search(TenantId tenant, float[] query, int topK) {
        // through Chroma's REST API: langchain4j's search also fetches and parses every hit's stored vector
        List<Hit> found = onCollection(tenant, false, List.of(),
                collection -> hits(rest.query(collection.database(), collection.id(), query, topK)));
        Map<String, Long> newest = new HashMap<>();
        for (Hit hit : found) {
            if (!tenant.value().equals(hit.tenantStamp())) {
                throw new IsolationViolationException(tenant, hit.tenantStamp() == null ? "<none>" : hit.tenantStamp());
            }
            newest.merge(hit.chunk().documentId(), hit.writtenAt(), Math::max);
        }
        List<VectorMatch> matches = new ArrayList<>(found.size());
        for (Hit hit : found) {
            // an older version left behind by an interrupted replace is hidden behind the newer one
            if (hit.writtenAt() == newest.get(hit.chunk().documentId())) {
                // Chroma's cosine space answers the distance 1 - cosine
                matches.add(new VectorMatch(hit.chunk(), 1 - hit.distance()));
            }
        }
        return matches;
    }

    /** One search result as stored: the chunk (without its vector), its tenant stamp and version time. */
    private record Hit(VectorChunk chunk, String tenantStamp, long writtenAt, double distance) {
    }

    /** The hits of Chroma's answer to one query vector, best first. */
    private static List<Hit> hits(JsonNode answer) {
        JsonNode ids = answer.path("ids").path(0);
        JsonNode documents = answer.path("documents").path(0);
        JsonNode metadatas = answer.path("metadatas").path(0);
        JsonNode distances = answer.path("distances").path(0);
        List<Hit> hits = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            JsonNode m = metadatas.path(i);
            VectorChunk chunk = new VectorChunk(text(m.path(CHUNK_ID)), text(m.path(DOCUMENT_ID)),
                    m.path(CHUNK_INDEX).asInt(0), text(m.path(TITLE)), text(m.path(SOURCE_TYPE)),
                    text(m.path(SOURCE_URI)), text(documents.path(i)), new float[0]);
            hits.add(new Hit(chunk, text(m.path(TENANT_ID)), m.path(WRITTEN_AT).asLong(0),
                    distances.path(i).asDouble()));
        }
        return hits;
    }

    /** A string value, or null when absent (Chroma stores no null metadata values). */
    private static String text(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? null : value.asText();
    }

    @Override
    public int deleteDocument(TenantId tenant, String documentId) {
        return onCollection(tenant, false, 0, collection -> {
            List<String> ids = rest.idsWhere(collection.database(), collection.id(), DOCUMENT_ID, documentId);
            rest.deleteIds(collection.database(), collection.id(), ids);
            return ids.size();
        });
    }

    @Override
    public int deleteTenant(TenantId tenant) {
        requireTenant(tenant); // fail closed before anything else
        int count;
        try {
            count = countChunks(tenant);
        } catch (RuntimeException e) {
            count = 0; // the count is for the report; the database goes all the same
        }
        try {
            rest.deleteDatabase(databaseOf(tenant));
        } finally {
            open.remove(tenant);
        }
        return count;
    }

    @Override
    public int countChunks(TenantId tenant) {
        return onCollection(tenant, false, 0, collection -> rest.count(collection.database(), collection.id()));
    }

    /**
     * Runs an action on the tenant's collection. Without {@code create}, a tenant without a collection gets
     * {@code absent} and nothing is created. A cached collection that vanished (another replica deleted the
     * tenant) is looked up once more; any other failure names the server.
     */
    private <T> T onCollection(TenantId tenant, boolean create, T absent, Function<TenantCollection, T> action) {
        requireTenant(tenant);
        for (int attempt = 0; ; attempt++) {
            TenantCollection collection = create ? openOrCreate(tenant) : existing(tenant).orElse(null);
            if (collection == null) {
                return absent;
            }
            try {
                return action.apply(collection);
            } catch (RuntimeException e) {
                open.remove(tenant, collection);
                if (attempt == 0 && isNotFound(e)) {
                    continue;
                }
                throw unavailable(tenant, e);
            }
        }
    }

    /** The tenant's collection if it exists; never creates one (reads and deletes must not). */
    private Optional<TenantCollection> existing(TenantId tenant) {
        TenantCollection known = open.get(tenant);
        if (known != null) {
            return Optional.of(known);
        }
        if (rest.collectionId(databaseOf(tenant), settings.collection()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(openOrCreate(tenant));
    }

    private TenantCollection openOrCreate(TenantId tenant) {
        TenantCollection known = open.get(tenant);
        if (known != null) {
            return known;
        }
        String database = databaseOf(tenant);
        ChromaEmbeddingStore store = null;
        for (int attempt = 1; store == null; attempt++) {
            try {
                // the builder creates the Chroma tenant, database and collection when missing (cosine space)
                store = ChromaEmbeddingStore.builder()
                        .apiVersion(ChromaApiVersion.V2)
                        .baseUrl(settings.baseUrl())
                        .tenantName(settings.tenant())
                        .databaseName(database)
                        .collectionName(settings.collection())
                        .timeout(settings.timeout())
                        .build();
            } catch (RuntimeException e) {
                // it checks before it creates: another thread or replica may create the Chroma tenant, the
                // database or the collection in between, and the create fails; built again, it finds them
                if (attempt >= CREATE_ATTEMPTS || !alreadyExists(e)) {
                    throw unavailable(tenant, e);
                }
            }
        }
        String id = rest.collectionId(database, settings.collection()).orElseThrow(() ->
                new ChromaUnavailableException("Chroma at " + settings.url() + " lost the collection of tenant "
                        + tenant + " right after creating it", null));
        TenantCollection created = new TenantCollection(database, id, store);
        TenantCollection raced = open.putIfAbsent(tenant, created);
        return raced == null ? created : raced;
    }

    private ChromaUnavailableException unavailable(TenantId tenant, RuntimeException e) {
        if (e instanceof ChromaUnavailableException known) {
            return known;
        }
        return new ChromaUnavailableException("Chroma call for tenant " + tenant + " at " + settings.url()
                + " failed: " + e.getMessage(), e);
    }

    /** Chroma's answer to creating a tenant, database or collection that exists by now. */
    private static boolean alreadyExists(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains("already exists")) {
                return true;
            }
        }
        return false;
    }

    /** Chroma's answer for a collection or database that no longer exists (through either client). */
    private static boolean isNotFound(RuntimeException e) {
        return e instanceof ChromaRest.NotFoundException
                || (e.getMessage() != null && e.getMessage().contains("NotFoundError"));
    }

    private static Metadata metadata(TenantId tenant, String documentId, String version, long writtenAt,
                                     VectorChunk chunk) {
        Metadata metadata = new Metadata()
                .put(TENANT_ID, tenant.value())
                .put(DOCUMENT_ID, documentId)
                .put(CHUNK_INDEX, chunk.index())
                .put(VERSION, version)
                .put(WRITTEN_AT, writtenAt);
        // Chroma metadata values cannot be null: absent means null
        putIfPresent(metadata, CHUNK_ID, chunk.chunkId());
        putIfPresent(metadata, TITLE, chunk.title());
        putIfPresent(metadata, SOURCE_TYPE, chunk.sourceType());
        putIfPresent(metadata, SOURCE_URI, chunk.sourceUri());
        return metadata;
    }

    private static void putIfPresent(Metadata metadata, String key, String value) {
        if (value != null) {
            metadata.put(key, value);
        }
    }

    /** Content hash of a document version: the same chunks give the same ids, so a retried replace is a no-op add. */
    private static String version(String documentId, List<VectorChunk> chunks) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(documentId.getBytes(StandardCharsets.UTF_8));
            for (VectorChunk chunk : chunks) {
                sha.update(ByteBuffer.allocate(4).putInt(chunk.index()).array());
                sha.update(String.valueOf(chunk.title()).getBytes(StandardCharsets.UTF_8));
                sha.update(String.valueOf(chunk.sourceUri()).getBytes(StandardCharsets.UTF_8));
                sha.update(chunk.text().getBytes(StandardCharsets.UTF_8));
                ByteBuffer vector = ByteBuffer.allocate(4 * chunk.vector().length);
                for (float v : chunk.vector()) {
                    vector.putFloat(v);
                }
                sha.update(vector.array());
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireTenant(TenantId tenant) {
        if (tenant == null) {
            throw new MissingTenantException("vector store call");
        }
    }

    /** A tenant's opened collection: its database, Chroma collection id and the langchain4j store bound to it. */
    private record TenantCollection(String database, String id, ChromaEmbeddingStore store) {
    }
}
