package io.caravan.tenancy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Tenants and their versioned configuration. */
@Repository
public class TenantRegistry {

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration configTtl;
    private final ApplicationEventPublisher events;
    private final TenantTransactions transactions;
    private final Map<TenantId, CachedConfig> configs = new ConcurrentHashMap<>();
    /** Counts evictions, so a read that raced a change is not cached. */
    private final AtomicLong evictions = new AtomicLong();

    /** A tenant's parsed config; {@code createdAt} tells the incarnations of a tenant id apart. */
    private record CachedConfig(TenantConfig config, int version, Instant createdAt, Instant expires) {
    }

    /**
     * What a query depends on, read at once: the tenant's configuration with its version, and its corpus version
     * (incremented whenever a document is indexed or removed).
     */
    public record QueryView(TenantConfig config, int configVersion, CorpusVersion corpus) {
    }

    public TenantRegistry(JdbcClient jdbc, ObjectMapper json, Clock clock,
                          @Value("${caravan.tenants.config-cache-ttl:1s}") Duration configTtl,
                          ApplicationEventPublisher events, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.events = events;
        this.json = json;
        this.clock = clock;
        this.configTtl = configTtl;
    }

    public Tenant create(TenantId id, String displayName) {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        try {
            jdbc.sql("""
                    INSERT INTO tenants (id, display_name, config_json, config_version, created_at, updated_at)
                    VALUES (:id, :name, :config, 1, :now, :now)""")
                    .param("id", id.value())
                    .param("name", displayName)
                    .param("config", write(TenantConfig.empty()))
                    .param("now", now)
                    .update();
        } catch (DuplicateKeyException e) {
            throw new TenantAlreadyExistsException(id);
        }
        evictOnCommit(id); // a tenant deleted and created again must not keep the old config
        return require(id);
    }

    public Optional<Tenant> find(TenantId id) {
        return jdbc.sql("SELECT * FROM tenants WHERE id = :id")
                .param("id", id.value())
                .query(this::map)
                .optional();
    }

    public Tenant require(TenantId id) {
        return find(id).orElseThrow(() -> new TenantNotFoundException(id.value()));
    }

    /**
     * The tenant's configuration for the ingestion hot path, which reads it several times per document: cached
     * for {@code caravan.tenants.config-cache-ttl}. A change made through this registry evicts it on commit; a
     * change made by another replica sharing the database is seen within the TTL. See also {@link #cachedConfig}.
     */
    public TenantConfig config(TenantId id) {
        Instant now = clock.instant();
        CachedConfig cached = configs.get(id);
        if (cached != null && now.isBefore(cached.expires())) {
            return cached.config();
        }
        return load(id, now).config();
    }

    /**
     * The tenant's configuration as last read, however old, read now only when there is none: for a query's rate
     * limit, decided before its versions are read. {@link #queryView} refreshes it whenever the config version
     * or the tenant's incarnation changed, so an admitted query sees a change made by another replica one query
     * late; a refusal is re-checked with {@link #config} (see the query controller).
     */
    public TenantConfig cachedConfig(TenantId id) {
        CachedConfig cached = configs.get(id);
        return cached != null ? cached.config() : load(id, clock.instant()).config();
    }

    /**
     * The tenant's config and corpus version for a query, always current: one statement reads both versions; the
     * parsed configuration is reused from the cache while its version is unchanged, and read again otherwise.
     *
     * @throws TenantNotFoundException the tenant no longer exists
     */
    public QueryView queryView(TenantId id) {
        record Versions(int config, CorpusVersion corpus) {
        }
        Versions versions = jdbc.sql("SELECT config_version, corpus_version, created_at FROM tenants WHERE id = :id")
                .param("id", id.value())
                .query((rs, row) -> new Versions(rs.getInt(1),
                        new CorpusVersion(rs.getObject(3, java.time.OffsetDateTime.class).toInstant(), rs.getLong(2))))
                .optional()
                .orElseThrow(() -> {
                    configs.remove(id); // erased through another replica: nothing of it stays cached here
                    return new TenantNotFoundException(id.value());
                });
        Instant now = clock.instant();
        CachedConfig cached = configs.get(id);
        // a tenant erased and created again (through another replica) starts again at the same versions
        if (cached == null || cached.version() != versions.config()
                || !cached.createdAt().equals(versions.corpus().tenantCreatedAt())) {
            Tenant tenant = load(id, now);
            return new QueryView(tenant.config(), tenant.configVersion(), versions.corpus());
        }
        if (!now.isBefore(cached.expires())) {
            // the version was just confirmed: the cached config holds for another TTL
            configs.replace(id, cached, new CachedConfig(cached.config(), cached.version(), cached.createdAt(),
                    now.plus(configTtl)));
        }
        return new QueryView(cached.config(), versions.config(), versions.corpus());
    }

    /** Reads the tenant and caches its config, unless a change raced the read. */
    private Tenant load(TenantId id, Instant now) {
        long generation = evictions.get();
        Tenant tenant = require(id);
        if (evictions.get() == generation) {
            configs.put(id, new CachedConfig(tenant.config(), tenant.configVersion(), tenant.createdAt(),
                    now.plus(configTtl)));
        }
        return tenant;
    }

    public boolean exists(TenantId id) {
        return jdbc.sql("SELECT COUNT(*) FROM tenants WHERE id = :id").param("id", id.value())
                .query(Integer.class).single() > 0;
    }

    public List<Tenant> list() {
        return jdbc.sql("SELECT * FROM tenants ORDER BY id").query(this::map).list();
    }

    /** Replaces the configuration and increments its version atomically. */
    @Transactional
    public Tenant updateConfig(TenantId id, TenantConfig config) {
        int updated = jdbc.sql("""
                UPDATE tenants SET config_json = :config, config_version = config_version + 1, updated_at = :now
                WHERE id = :id""")
                .param("config", write(config.normalised()))
                .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                .param("id", id.value())
                .update();
        if (updated == 0) {
            throw new TenantNotFoundException(id.value());
        }
        evictOnCommit(id);
        events.publishEvent(new TenantChanged(id));
        return require(id);
    }

    /**
     * Deletes the tenant row, fenced against the tenant's writes in flight ({@link TenantTransactions#erase}); the
     * foreign keys cascade to every tenant-owned row left. The change is published once the fence is released.
     */
    public int delete(TenantId id) {
        int deleted = transactions.erase(id, () -> jdbc.sql("DELETE FROM tenants WHERE id = :id")
                .param("id", id.value()).update());
        evictOnCommit(id);
        events.publishEvent(new TenantChanged(id));
        return deleted;
    }

    /** Evicts now and again when the surrounding transaction ends, so no read of the old row stays cached. */
    private void evictOnCommit(TenantId id) {
        evict(id);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    evict(id);
                }
            });
        }
    }

    private void evict(TenantId id) {
        evictions.incrementAndGet();
        configs.remove(id);
    }

    private Tenant map(ResultSet rs, int row) throws SQLException {
        return new Tenant(TenantId.of(rs.getString("id")), rs.getString("display_name"),
                read(rs.getString("config_json")), rs.getInt("config_version"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private String write(TenantConfig config) {
        try {
            return json.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise tenant config", e);
        }
    }

    private TenantConfig read(String text) {
        try {
            return json.readValue(text, TenantConfig.class).normalised();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored tenant config is not readable", e);
        }
    }
}
