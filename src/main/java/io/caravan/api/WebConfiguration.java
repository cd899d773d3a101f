package io.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Registers the tenant argument resolver, and the query endpoint's servlet beside Spring MVC's. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private final RequestTenant requestTenant;

    WebConfiguration(RequestTenant requestTenant) {
        this.requestTenant = requestTenant;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(requestTenant);
    }

    /** An exact path mapping: the container prefers it to the dispatcher's default one, for that path only. */
    @Bean
    ServletRegistrationBean<QueryEndpoint> queryEndpoint(QueryHandler handler, ObjectMapper json,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver errors) {
        ServletRegistrationBean<QueryEndpoint> registration =
                new ServletRegistrationBean<>(new QueryEndpoint(handler, json, errors), QueryEndpoint.PATH);
        registration.setName("queryEndpoint");
        registration.setLoadOnStartup(1);
        return registration;
    }
}
