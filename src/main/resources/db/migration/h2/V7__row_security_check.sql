-- H2 side of the PostgreSQL V7: the embedded database has no row-level security to bypass.
CREATE ALIAS IF NOT EXISTS CARAVAN_ROW_SECURITY_BYPASSED FOR 'io.caravan.config.H2Functions.rowSecurityBypassed';
