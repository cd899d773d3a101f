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
        if (TenantHeader.isPresent(exchange)) {
            MDC.put(TenantMdc.KEY, TenantHeader.require(exchange).value());
        }
    }

    @Override
    protected void unsetMDC(Exchange exchange) {
        super.unsetMDC(exchange);
        MDC.remove(TenantMdc.KEY);
    }
}
