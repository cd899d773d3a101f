package io.caravan.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.caravan.query.QueryAnswer;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.filter.ServerHttpObservationFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Serves {@code POST /api/v1/query} as a servlet of its own, beside Spring MVC's: the query is the hub's hot
 * path, and Spring MVC's dispatch, argument resolution and message converters cost ~0.3 ms a query, a fifth of
 * what the hub added to embedding plus Chroma (see README "Benchmarks"). The filters (API key, tenant, MDC,
 * the request timer) run as for every request; the checks Spring MVC made from the mapping are made here, in
 * its order (method, content type, accepted types, tenant, body), and every failure goes through the same
 * exception resolver as Spring MVC's, so errors are the same problem+json.
 */
final class QueryEndpoint extends HttpServlet {

    static final String PATH = "/api/v1/query";
    /** What the endpoint reads and writes (the OpenAPI document must say the same: OpenApiContractTest). */
    static final MediaType CONSUMES = MediaType.APPLICATION_JSON;
    static final MediaType PRODUCES = MediaType.APPLICATION_JSON;

    private static final Set<String> ALLOWED = Set.of(HttpMethod.POST.name());

    private final transient QueryHandler handler;
    private final transient ObjectReader requests;
    private final transient ObjectWriter answers;
    private final transient HandlerExceptionResolver errors;

    QueryEndpoint(QueryHandler handler, ObjectMapper json, HandlerExceptionResolver errors) {
        this.handler = handler;
        this.requests = json.readerFor(Dtos.QueryRequest.class);
        this.answers = json.writerFor(QueryAnswer.class);
        this.errors = errors;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        // the request timer's uri tag, as Spring MVC sets it from the mapping
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(timer -> timer.setPathPattern(PATH));
        if (HttpMethod.OPTIONS.matches(request.getMethod())) {
            response.setHeader("Allow", "POST,OPTIONS");
            return;
        }
        byte[] answer;
        try {
            answer = answer(request);
        } catch (Throwable failure) { // an Error too, as Spring MVC's dispatcher wraps it
            Exception e = failure instanceof Exception exception ? exception
                    : new ServletException("Handler dispatch failed: " + failure, failure);
            if (errors.resolveException(request, response, null, e) == null) {
                throw e instanceof ServletException servlet ? servlet : new ServletException(e);
            }
            return;
        }
        // with its length known the answer is never sent chunked
        response.setContentType(PRODUCES.toString());
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
    }

    private byte[] answer(HttpServletRequest request) throws Exception {
        if (!HttpMethod.POST.matches(request.getMethod())) {
            throw new HttpRequestMethodNotSupportedException(request.getMethod(), ALLOWED);
        }
        Charset charset = requireJson(request);
        requireJsonAccepted(request);
        TenantId tenant = tenant(request);
        return answers.writeValueAsBytes(handler.query(tenant, body(request, charset)));
    }

    /** The body's charset; refuses anything but {@code application/json} (parameters aside). */
    private static Charset requireJson(HttpServletRequest request) throws HttpMediaTypeNotSupportedException {
        String header = request.getContentType();
        if (header == null || header.isBlank()) {
            // as Spring MVC: no type to name
            throw new HttpMediaTypeNotSupportedException((MediaType) null, List.of(CONSUMES), HttpMethod.POST);
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotSupportedException(e.getMessage());
        }
        if (!CONSUMES.includes(type)) {
            throw new HttpMediaTypeNotSupportedException(type, List.of(CONSUMES), HttpMethod.POST);
        }
        return type.getCharset() == null ? StandardCharsets.UTF_8 : type.getCharset();
    }

    /** Refuses a request whose {@code Accept} rules out JSON, or cannot be read (none accepts anything). */
    private static void requireJsonAccepted(HttpServletRequest request) throws HttpMediaTypeNotAcceptableException {
        List<String> accept = Collections.list(request.getHeaders("Accept"));
        if (accept.isEmpty()) {
            return;
        }
        List<MediaType> accepted;
        try {
            accepted = MediaType.parseMediaTypes(accept);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotAcceptableException(e.getMessage());
        }
        if (!accepted.isEmpty() && accepted.stream().noneMatch(type -> type.isCompatibleWith(PRODUCES))) {
            throw new HttpMediaTypeNotAcceptableException(List.of(PRODUCES));
        }
    }

    /** The tenant the edge resolved; never a default. */
    private static TenantId tenant(HttpServletRequest request) {
        if (request.getAttribute(EdgeAuthenticationFilter.TENANT_ATTRIBUTE) instanceof TenantId tenant) {
            return tenant;
        }
        throw new MissingTenantException("HTTP request uri=" + request.getRequestURI());
    }

    private Dtos.QueryRequest body(HttpServletRequest request, Charset charset) throws IOException {
        Dtos.QueryRequest body;
        try (InputStream in = request.getInputStream()) {
            // Jackson detects UTF-8 (and UTF-16/32) from the bytes; any other declared charset is decoded first
            body = StandardCharsets.UTF_8.equals(charset) ? requests.readValue(in)
                    : requests.readValue(new InputStreamReader(in, charset));
        } catch (JsonProcessingException e) {
            throw new HttpMessageNotReadableException("JSON parse error: " + e.getOriginalMessage(), e,
                    new ServletServerHttpRequest(request));
        } catch (IOException e) { // the client went away, or sent a broken body: its error, as in Spring MVC
            throw new HttpMessageNotReadableException("I/O error while reading input message", e,
                    new ServletServerHttpRequest(request));
        }
        if (body == null) {
            throw new HttpMessageNotReadableException("Required request body is missing",
                    new ServletServerHttpRequest(request));
        }
        return body;
    }
}
