package io.caravan.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.caravan.tenancy.Tenant;
import io.caravan.tenancy.TenantChanged;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.junit.jupiter.api.Test;

/**
 * {@code caravan.sources.enabled=false}: the replica runs no source routes, whatever the tenants' configs say, so a
 * platform team can run sources on one dedicated replica; the same manager with sources enabled starts them.
 */
class SourcesDisabledTest {

    private static final TenantId ACME = TenantId.of("acme");

    private final CamelContext camel = mock(CamelContext.class);
    private final TenantRegistry tenants = mock(TenantRegistry.class);
    private final SourceStatuses statuses = new SourceStatuses(Clock.systemUTC());
    private final SourceBindings bindings = new SourceBindings(List.of(new SourceBinding() {
        @Override
        public String type() {
            return "web";
        }

        @Override
        public String kamelet() {
            return "web-source";
        }

        @Override
        public Map<String, String> properties(TenantId tenant, TenantConfig.Source source) {
            return Map.of("startUrls", "https://docs.acme.example/");
        }
    }));

    SourcesDisabledTest() {
        TenantConfig.Source site = new TenantConfig.Source("docs-site", "web", List.of("https://docs.acme.example/"),
                null, null, null, null, null, null, null, null, null);
        TenantConfig config = new TenantConfig(null, null, null, null, List.of(site)).normalised();
        Tenant acme = new Tenant(ACME, "Acme", config, 2, Instant.EPOCH, Instant.EPOCH);
        when(tenants.list()).thenReturn(List.of(acme));
        when(tenants.find(ACME)).thenReturn(Optional.of(acme));
    }

    private SourceManager manager(boolean enabled) {
        return new SourceManager(camel, bindings, tenants, statuses,
                new SourceSettings(Duration.ofSeconds(1), enabled));
    }

    @Test
    void aReplicaWithSourcesDisabledStartsNoRouteAndReportsNothingRunning() throws Exception {
        SourceManager manager = manager(false);

        manager.startAll();
        manager.onTenantChanged(new TenantChanged(ACME));
        manager.reconcile(ACME);

        verifyNoInteractions(camel);
        assertThat(manager.routeIds(ACME, "docs-site")).isEmpty();
        // no status: GET /api/v1/sources shows the configured source as stopped
        assertThat(statuses.list(ACME)).isEmpty();
        assertThatThrownBy(() -> manager.restart(ACME, "docs-site")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("caravan.sources.enabled");
        manager.stopAll(ACME); // erasure still works
        verifyNoInteractions(camel);
    }

    @Test
    void theSameConfigWithSourcesEnabledStartsTheRoutes() throws Exception {
        SourceManager manager = manager(true);

        manager.startAll();

        verify(camel).addRoutes(any(RoutesBuilder.class));
        assertThat(manager.routeIds(ACME, "docs-site")).containsExactly("source.acme.docs-site", "acme.docs-site");
        assertThat(statuses.find(ACME, "docs-site")).map(SourceStatuses.Status::state)
                .contains(SourceStatuses.State.RUNNING);
    }
}
