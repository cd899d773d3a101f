-- One row per alert fired: the primary key makes "exactly one alert per threshold per period" hold even
-- when several workers (or replicas) cross the threshold at the same moment.
CREATE TABLE budget_alerts (
    tenant_id  VARCHAR(40) NOT NULL,
    budget     VARCHAR(40) NOT NULL,
    period     VARCHAR(10) NOT NULL,
    threshold  VARCHAR(10) NOT NULL,
    fired_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, budget, period, threshold)
);
