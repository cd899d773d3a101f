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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Tenant API keys: 256 random bits shown once, stored only as a SHA-256 hash (a slow hash adds nothing
 * for keys of this entropy), revocable at once.
 */
@Service
public class ApiKeys {

    static final String PREFIX = "cvn_";

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiKeys(JdbcClient jdbc, TenantTransactions transactions, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
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
        return jdbc.sql("SELECT caravan_api_key_tenant(:hash)")
                .param("hash", hash(apiKey))
                .query((rs, row) -> rs.getString(1))
                .list().stream()
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .map(TenantId::of);
    }

    /** Revokes a key of this tenant; false when the tenant has no such live key. */
    public boolean revoke(TenantId tenant, String keyId) {
        return transactions.call(tenant, () -> jdbc.sql("""
                UPDATE api_keys SET revoked_at = :now
                WHERE key_id = :keyId AND tenant_id = :tenant AND revoked_at IS NULL""")
                .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                .param("keyId", keyId)
                .param("tenant", tenant.value())
                .update() > 0);
    }

    public int deleteAll(TenantId tenant) {
        return transactions.call(tenant, () -> jdbc.sql("DELETE FROM api_keys WHERE tenant_id = :tenant")
                .param("tenant", tenant.value()).update());
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
