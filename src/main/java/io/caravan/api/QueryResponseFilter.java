package io.caravan.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;
import org.springframework.web.util.UrlPathHelper;

/**
 * Sends a query's answer in one piece with a {@code Content-Length}. Spring MVC flushes the response after
 * writing the JSON, so the container commits it chunked and writes twice (body, then the closing chunk); an
 * answer is a few kilobytes and the client waits for all of it, so it is buffered and sent at once.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class QueryResponseFilter extends OncePerRequestFilter {

    // the path as Spring MVC routes it, as the edge filter decides on it
    private final UrlPathHelper paths = EdgeAuthenticationFilter.urlPathHelper();

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"/api/v1/query".equals(paths.getPathWithinApplication(request));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(response);
        // an exception that escapes leaves the response to the container's error handling, without a partial body
        chain.doFilter(request, buffered);
        // the query endpoint answers synchronously (an async one would be copied when it ends, as Spring's
        // ShallowEtagHeaderFilter does)
        buffered.copyBodyToResponse();
    }
}
