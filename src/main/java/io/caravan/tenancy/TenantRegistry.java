package io.caravan.tenancy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Tenants and their versioned configuration. */
@Repository
public class TenantRegistry {

    private final JdbcClient jdbc;
    private final ObjectMapper json;
    private final Clock clock;

    public TenantRegistry(JdbcClient jdbc, ObjectMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
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
        return require(id);
    }

    public int delete(TenantId id) {
        return jdbc.sql("DELETE FROM tenants WHERE id = :id").param("id", id.value()).update();
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
