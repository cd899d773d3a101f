package io.caravan.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tenant API keys: 256 random bits shown once, stored only as a SHA-256 hash (a slow hash adds nothing
 * for keys of this entropy), revocable at once.
 *
 * <p>Every {@code /api/**} request resolves its key, so a live key's tenant is cached for
 * {@code caravan.tenants.api-key-cache-ttl} (by hash, never the key itself). Unknown and revoked keys are never
 * cached. Revoking a key or erasing a tenant through this replica evicts the tenant's entries at once (and again
 * when the transaction ends); a revocation made through another replica sharing the database is seen within the
 * TTL.
 */
@Service
public class ApiKeys {

    static final String PREFIX = "cvn_";

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Hash of a live key to its tenant; only live keys, only for the TTL. */
    private final Cache<String, TenantId> live;
    /** Counts evictions, so a lookup that raced a revocation is not cached. */
    private final AtomicLong evictions = new AtomicLong();

    public ApiKeys(JdbcClient jdbc, TenantTransactions transactions, Clock clock,
                   @Value("${caravan.tenants.api-key-cache-ttl:1s}") Duration cacheTtl) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        // upkeep on the caller's thread: every API request reads this cache, and none should wake another thread
        this.live = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(cacheTtl).executor(Runnable::run)
                .build();
    }

    public record IssuedKey(String keyId, String apiKey) {
    }

    public IssuedKey issue(TenantId tenant, String name) {
        String keyId = "key_" + randomToken(12);
        String apiKey = PREFIX + randomToken(32);
        transactions.run(tenant, () -> jdbc.sql("""
                INSERT INTO api_keys (key_id, tenant_id, name, key_hash, created_at)
                VALUES (:keyId, :tenant, :name, :hash, :now)""")
                .param("keyId", keyId)
                .param("tenant", tenant.value())
                .param("name", name)
                .param("hash", hash(apiKey))
                .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                .update());
        return new IssuedKey(keyId, apiKey);
    }

    /**
     * The tenant owning a live key; empty for unknown or revoked keys. The tenant is not known yet, so this is the
     * one lookup of a tenant-owned table without a tenant: a database function that answers only the tenant id
     * for a hash (on PostgreSQL a SECURITY DEFINER function, the app role cannot read the table across tenants).
     */
    public Optional<TenantId> resolve(String apiKey) {
        if (apiKey == null || !apiKey.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String hash = hash(apiKey);
        TenantId cached = live.getIfPresent(hash);
        if (cached != null) {
            return Optional.of(cached);
        }
        long generation = evictions.get();
        Optional<TenantId> tenant = jdbc.sql("SELECT caravan_api_key_tenant(:hash)")
                .param("hash", hash)
                .query((rs, row) -> rs.getString(1))
                .list().stream()
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .map(TenantId::of);
        if (tenant.isPresent() && evictions.get() == generation) {
            live.put(hash, tenant.get());
            if (evictions.get() != generation) {
                live.invalidate(hash); // an eviction ran between the check and the put
            }
        }
        return tenant;
    }

    /** Revokes a key of this tenant; false when the tenant has no such live key. */
    public boolean revoke(TenantId tenant, String keyId) {
        try {
            return transactions.call(tenant, () -> {
                evictOnCommit(tenant);
                return jdbc.sql("""
                        UPDATE api_keys SET revoked_at = :now
                        WHERE key_id = :keyId AND tenant_id = :tenant AND revoked_at IS NULL""")
                        .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                        .param("keyId", keyId)
                        .param("tenant", tenant.value())
                        .update() > 0;
            });
        } finally {
            evict(tenant);
        }
    }

    public int deleteAll(TenantId tenant) {
        try {
            return transactions.call(tenant, () -> {
                evictOnCommit(tenant);
                return jdbc.sql("DELETE FROM api_keys WHERE tenant_id = :tenant")
                        .param("tenant", tenant.value()).update();
            });
        } finally {
            evict(tenant);
        }
    }

    /**
     * Drops the tenant's cached keys now and once more when the current transaction (if any) ends, so neither a
     * lookup racing the change nor one reading before the commit keeps a revoked key alive on this replica.
     */
    private void evictOnCommit(TenantId tenant) {
        evict(tenant);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    evict(tenant);
                }
            });
        }
    }

    private void evict(TenantId tenant) {
        evictions.incrementAndGet();
        live.asMap().values().removeIf(tenant::equals);
    }

    static String hash(String apiKey) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(apiKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomToken(int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}
