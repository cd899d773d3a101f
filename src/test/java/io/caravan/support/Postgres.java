package io.caravan.support;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A fresh database on the real PostgreSQL server on loopback ({@code scripts/services.sh up postgres} starts it),
 * created as the superuser and owned by {@value #OWNER}, the role migrations run as; the hub connects as
 * {@value #APP}: LOGIN, NOSUPERUSER, NOBYPASSRLS, not the owner, so row-level security binds it. Both roles are
 * created if missing (cluster-wide, idempotent). Close drops the database.
 * <p>
 * Settings (system properties): {@code caravan.test.pg.host} (127.0.0.1), {@code caravan.test.pg.port} (5432),
 * {@code caravan.test.pg.superuser} (postgres; trust authentication over loopback).
 */
public final class Postgres implements AutoCloseable {

    public static final String OWNER = "caravan_owner";
    public static final String APP = "caravan_app";

    private static final String HOST = System.getProperty("caravan.test.pg.host", "127.0.0.1");
    private static final String PORT = System.getProperty("caravan.test.pg.port", "5432");
    private static final String SUPERUSER = System.getProperty("caravan.test.pg.superuser", "postgres");

    private final String name;

    private Postgres(String name) {
        this.name = name;
    }

    /** Creates the roles if missing and a new, empty database with a random name. */
    public static Postgres create() {
        JdbcClient admin = JdbcClient.create(dataSource(url("postgres"), SUPERUSER));
        for (String role : new String[] {OWNER, APP}) {
            // a concurrent test JVM may create it between the check and the CREATE: both are fine
            admin.sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role + "') THEN "
                    + "CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; END IF; "
                    + "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$").update();
        }
        String name = "caravan_test_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        admin.sql("CREATE DATABASE " + name + " OWNER " + OWNER).update();
        return new Postgres(name);
    }

    public String name() {
        return name;
    }

    public String url() {
        return url(name);
    }

    /** Runs the hub's migrations as the owner, as the hub does at start-up. */
    public void migrate() {
        Flyway.configure().dataSource(dataSource(url(), OWNER))
                .locations("classpath:db/migration/common", "classpath:db/migration/postgresql")
                .placeholders(Map.of("app_role", APP))
                .load().migrate();
    }

    /** As the hub's application role: subject to row-level security. */
    public DriverManagerDataSource appDataSource() {
        return dataSource(url(), APP);
    }

    /** As the owner of the tables, the role migrations run as. */
    public DriverManagerDataSource ownerDataSource() {
        return dataSource(url(), OWNER);
    }

    /** As the superuser: sees every row (superusers bypass row-level security), for checks only. */
    public JdbcClient superuser() {
        return JdbcClient.create(dataSource(url(), SUPERUSER));
    }

    /** The hub's datasource and migration settings for this database. */
    public Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("spring.datasource.url", url());
        settings.put("spring.datasource.username", APP);
        settings.put("spring.datasource.password", "");
        settings.put("spring.flyway.user", OWNER);
        settings.put("spring.flyway.password", "");
        settings.put("spring.flyway.placeholders.app_role", APP);
        return settings;
    }

    /** {@link #settings()} as test properties. */
    public void register(DynamicPropertyRegistry registry) {
        settings().forEach((name, value) -> registry.add(name, () -> value));
    }

    /** Drops the database, ending any connection still open to it. */
    @Override
    public void close() {
        JdbcClient.create(dataSource(url("postgres"), SUPERUSER))
                .sql("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").update();
    }

    private static String url(String database) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
    }

    private static DriverManagerDataSource dataSource(String url, String user) {
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, user, "");
        dataSource.setDriverClassName("org.postgresql.Driver");
        return dataSource;
    }
}
