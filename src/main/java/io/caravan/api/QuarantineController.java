package io.caravan.api;

import io.caravan.ingest.Quarantine;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import org.apache.camel.ProducerTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/quarantine}: list, retry and discard the tenant's failed documents. */
@RestController
@RequestMapping(path = "/api/v1/quarantine", produces = MediaType.APPLICATION_JSON_VALUE)
class QuarantineController {

    private final Quarantine quarantine;
    private final ProducerTemplate camel;

    QuarantineController(Quarantine quarantine, ProducerTemplate camel) {
        this.quarantine = quarantine;
        this.camel = camel;
    }

    @GetMapping
    Dtos.Items<Dtos.QuarantineView> list(TenantId tenant) {
        return new Dtos.Items<>(quarantine.list(tenant).stream()
                .map(i -> new Dtos.QuarantineView(i.id(), i.documentId(), i.sourceType(), i.sourceUri(), i.stage(),
                        i.reason(), i.error(), i.attempts(), i.quarantinedAt()))
                .toList());
    }

    @PostMapping("/{id}/retry")
    @ResponseStatus(HttpStatus.ACCEPTED)
    void retry(TenantId tenant, @PathVariable("id") String id) {
        camel.requestBodyAndHeaders("direct:retry-quarantined", id, TenantHeader.headers(tenant));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void discard(TenantId tenant, @PathVariable("id") String id) {
        camel.requestBodyAndHeaders("direct:discard-quarantined", id, TenantHeader.headers(tenant));
    }
}
