package io.caravan.api;

import io.caravan.sources.SourceStatuses;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/sources}: the tenant's configured sources and what this replica's instances of them are doing. */
@RestController
@RequestMapping(path = "/api/v1/sources", produces = MediaType.APPLICATION_JSON_VALUE)
class SourcesController {

    private final TenantRegistry tenants;
    private final SourceStatuses statuses;

    SourcesController(TenantRegistry tenants, SourceStatuses statuses) {
        this.tenants = tenants;
        this.statuses = statuses;
    }

    @GetMapping
    Dtos.Items<Dtos.SourceView> list(TenantId tenant) {
        // the stored config is the list; a source this replica does not run (yet) is stopped
        return new Dtos.Items<>(tenants.require(tenant).config().sources().stream()
                .map(source -> view(tenant, source))
                .toList());
    }

    private Dtos.SourceView view(TenantId tenant, TenantConfig.Source source) {
        return statuses.find(tenant, source.id())
                .map(s -> new Dtos.SourceView(source.id(), source.type(), s.state().wire(), s.lastRunAt(),
                        s.itemsSeen(), s.lastError()))
                .orElse(new Dtos.SourceView(source.id(), source.type(), SourceStatuses.State.STOPPED.wire(), null,
                        0, null));
    }
}
