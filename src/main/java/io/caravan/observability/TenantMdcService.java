package io.caravan.observability;

import io.caravan.tenancy.TenantHeader;
import org.apache.camel.Exchange;
import org.apache.camel.mdc.MDCService;
import org.slf4j.MDC;

/**
 * Camel's MDC service, extended to put the exchange's tenant into {@code tenant_id} on every Camel thread
 * (seda and Kafka consumers included) for as long as the exchange is processed there.
 */
public class TenantMdcService extends MDCService {

    @Override
    protected void setMDC(Exchange exchange) {
        super.setMDC(exchange);
        // must never throw: a failure here would leave the exchange without its completion callback
        TenantHeader.peek(exchange).ifPresent(tenant -> MDC.put(TenantMdc.KEY, tenant.value()));
    }

    @Override
    protected void unsetMDC(Exchange exchange) {
        super.unsetMDC(exchange);
        MDC.remove(TenantMdc.KEY);
    }
}
