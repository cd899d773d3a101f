package io.caravan.api;

import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives controllers the tenant resolved by {@link EdgeAuthenticationFilter}: a {@link TenantId} parameter
 * of a handler method. Throws when absent, so a handler can never run tenant-less.
 */
@Component
public class RequestTenant implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return TenantId.class.equals(parameter.getParameterType()) && !parameter.hasParameterAnnotations();
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
                                  NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
        Object tenant = webRequest.getAttribute(EdgeAuthenticationFilter.TENANT_ATTRIBUTE,
                RequestAttributes.SCOPE_REQUEST);
        if (tenant instanceof TenantId id) {
            return id;
        }
        throw new MissingTenantException("HTTP request " + webRequest.getDescription(false));
    }
}
