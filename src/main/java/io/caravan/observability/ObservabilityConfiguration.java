package io.caravan.observability;

import org.apache.camel.CamelContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the tenant-aware MDC service into the Camel context. */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

    @Bean
    TenantMdcService tenantMdcService(CamelContext camelContext) {
        TenantMdcService service = new TenantMdcService();
        service.init(camelContext);
        return service;
    }
}
