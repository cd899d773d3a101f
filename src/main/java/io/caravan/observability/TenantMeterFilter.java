package io.caravan.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.stereotype.Component;

/**
 * Refuses any {@code rag_*} meter that lacks a {@code tenant_id} tag (except the counter of tenant-less
 * rejections). Refusal is an exception at registration, so the omission fails loudly in tests instead of
 * producing an unlabelled series in production.
 */
@Component
public class TenantMeterFilter implements MeterFilter {

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName();
        boolean ragMeter = name.startsWith(MetricNames.PREFIX) || name.startsWith("rag_");
        if (ragMeter && !MetricNames.TENANT_MISSING.equals(name)) {
            String tenant = id.getTag(MetricNames.TENANT_TAG);
            if (tenant == null || tenant.isBlank()) {
                throw new MeterWithoutTenantException(name);
            }
        }
        return id;
    }
}
