package io.caravan.secrets;

import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The per-tenant secret store ({@code tenants/<id>/<name>}). Every method takes the {@link TenantId}: code
 * handling tenant A can only ever name A's namespace. Values are encrypted at rest and never logged.
 */
@Service
public class TenantSecrets {

    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final SecretCipher cipher;
    private final Clock clock;

    TenantSecrets(JdbcClient jdbc, TenantTransactions transactions, SecretCipher cipher, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.cipher = cipher;
        this.clock = clock;
    }

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public void put(TenantId tenant, String name, String value) {
        requireTenant(tenant);
        requireName(name);
        String sealed = cipher.encrypt(namespace(tenant, name), value);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        transactions.run(tenant, () -> {
            int updated = jdbc.sql("UPDATE tenant_secrets SET ciphertext = :c, updated_at = :now "
                            + "WHERE tenant_id = :tenant AND name = :name")
                    .param("c", sealed).param("now", now).param("tenant", tenant.value()).param("name", name)
                    .update();
            if (updated == 0) {
                jdbc.sql("INSERT INTO tenant_secrets (tenant_id, name, ciphertext, updated_at) "
                                + "VALUES (:tenant, :name, :c, :now)")
                        .param("tenant", tenant.value()).param("name", name).param("c", sealed).param("now", now)
                        .update();
            }
        });
    }

    /** The secret's value, for this tenant only. */
    public Optional<String> read(TenantId tenant, String name) {
        requireTenant(tenant);
        requireName(name);
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT ciphertext FROM tenant_secrets WHERE tenant_id = :tenant AND name = :name")
                .param("tenant", tenant.value()).param("name", name)
                .query(String.class)
                .optional())
                .map(sealed -> cipher.decrypt(namespace(tenant, name), sealed));
    }

    public List<SecretInfo> list(TenantId tenant) {
        requireTenant(tenant);
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT name, updated_at FROM tenant_secrets WHERE tenant_id = :tenant ORDER BY name")
                .param("tenant", tenant.value())
                .query((rs, row) -> new SecretInfo(rs.getString("name"),
                        rs.getObject("updated_at", OffsetDateTime.class).toInstant()))
                .list());
    }

    public int deleteAll(TenantId tenant) {
        requireTenant(tenant);
        return transactions.call(tenant, () -> jdbc.sql("DELETE FROM tenant_secrets WHERE tenant_id = :tenant")
                .param("tenant", tenant.value()).update());
    }

    static String namespace(TenantId tenant, String name) {
        return "tenants/" + tenant.value() + "/" + name;
    }

    private static void requireTenant(TenantId tenant) {
        if (tenant == null) {
            throw new MissingTenantException("secret store call");
        }
    }

    private static void requireName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid secret name: use letters, digits, '.', '_' or '-'");
        }
    }
}
