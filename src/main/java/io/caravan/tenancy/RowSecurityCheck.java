package io.caravan.tenancy;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Fails the start when the hub's database role would not be bound by row-level security (a superuser, a BYPASSRLS
 * role or the tables' owner on PostgreSQL): the policies are a second wall around each tenant's rows, and a
 * misconfigured role would remove it silently. Always passes on H2, which has no such wall.
 */
@Component
class RowSecurityCheck {

    RowSecurityCheck(JdbcClient jdbc) {
        if (Boolean.TRUE.equals(jdbc.sql("SELECT caravan_row_security_bypassed()").query(Boolean.class).single())) {
            throw new IllegalStateException("The hub's database role bypasses row-level security (superuser, "
                    + "BYPASSRLS or owner of the tables): connect as the application role (e.g. caravan_app) and run "
                    + "migrations as the owner (SPRING_FLYWAY_USER)");
        }
    }
}
