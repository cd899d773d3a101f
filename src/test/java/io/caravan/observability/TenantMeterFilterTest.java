package io.caravan.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TenantMeterFilterTest {

    private SimpleMeterRegistry registry;

    @BeforeEach
    void registryWithFilter() {
        registry = new SimpleMeterRegistry();
        registry.config().meterFilter(new TenantMeterFilter());
    }

    @Test
    void ragMeterWithoutTenantIsRefused() {
        assertThatThrownBy(() -> registry.counter("rag.anything"))
                .isInstanceOf(MeterWithoutTenantException.class)
                .hasMessageContaining("rag.anything");
        assertThatThrownBy(() -> registry.counter("rag.anything", "source_type", "web"))
                .isInstanceOf(MeterWithoutTenantException.class);
        assertThatThrownBy(() -> Timer.builder(MetricNames.QUERY_LATENCY).tag("cache_hit", "false").register(registry))
                .isInstanceOf(MeterWithoutTenantException.class);
        AtomicInteger value = new AtomicInteger();
        assertThatThrownBy(() -> Gauge.builder(MetricNames.QUARANTINE_DOCUMENTS, value, AtomicInteger::get)
                .register(registry))
                .isInstanceOf(MeterWithoutTenantException.class);
        assertThat(registry.find("rag.anything").meters()).isEmpty();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void prometheusStyleRagNameWithoutTenantIsRefusedToo() {
        assertThatThrownBy(() -> registry.counter("rag_anything_total"))
                .isInstanceOf(MeterWithoutTenantException.class);
    }

    @Test
    void blankTenantIsRefused() {
        assertThatThrownBy(() -> registry.counter("rag.anything", MetricNames.TENANT_TAG, ""))
                .isInstanceOf(MeterWithoutTenantException.class);
        assertThatThrownBy(() -> registry.counter("rag.anything", MetricNames.TENANT_TAG, "  "))
                .isInstanceOf(MeterWithoutTenantException.class);
    }

    @Test
    void ragMeterWithTenantIsRegistered() {
        Counter counter = registry.counter("rag.anything", MetricNames.TENANT_TAG, "acme", "outcome", "ok");
        counter.increment(3);
        Timer timer = Timer.builder(MetricNames.QUERY_LATENCY).tag(MetricNames.TENANT_TAG, "acme").register(registry);
        timer.record(Duration.ofMillis(5));

        assertThat(registry.get("rag.anything").tag(MetricNames.TENANT_TAG, "acme").counter().count()).isEqualTo(3.0);
        assertThat(registry.get(MetricNames.QUERY_LATENCY).tag(MetricNames.TENANT_TAG, "acme").timer().count())
                .isEqualTo(1);
    }

    @Test
    void tenantMissingCounterIsTheOnlyRagMeterAllowedWithoutTenant() {
        Counter missing = registry.counter(MetricNames.TENANT_MISSING, "surface", "http");
        missing.increment();
        assertThat(registry.get(MetricNames.TENANT_MISSING).tag("surface", "http").counter().count()).isEqualTo(1.0);
        assertThat(registry.get(MetricNames.TENANT_MISSING).meter().getId().getTag(MetricNames.TENANT_TAG)).isNull();
    }

    @Test
    void nonRagMetersAreUnaffected() {
        registry.counter("http.server.requests", "uri", "/api/v1/query").increment();
        registry.timer("jvm.gc.pause").record(Duration.ofMillis(1));
        registry.counter("ragged.meter").increment();
        registry.counter("camel.exchanges").increment();

        assertThat(registry.get("http.server.requests").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("jvm.gc.pause").timer().count()).isEqualTo(1);
        assertThat(registry.get("ragged.meter").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("camel.exchanges").counter().count()).isEqualTo(1.0);
    }
}
