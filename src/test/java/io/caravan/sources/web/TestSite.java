package io.caravan.sources.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A small real web site for crawler tests: pages with status, type, body and ETag; answers 304 to a matching
 * If-None-Match; records every request it gets.
 */
public final class TestSite implements AutoCloseable {

    /** One resource of the site. */
    public record Page(int status, String contentType, String body, String etag) {
    }

    /** One request the site received. */
    public record Request(String path, String ifNoneMatch, int status) {
    }

    private final HttpServer server;
    private final Map<String, Page> pages = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();

    public TestSite() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public TestSite html(String path, String title, String body) {
        pages.put(path, new Page(200, "text/html; charset=UTF-8",
                "<!DOCTYPE html><html><head><title>" + title + "</title><script>var tracking = 1;</script></head>"
                        + "<body><nav><a href=\"/\">Home</a> Site menu</nav><main>" + body + "</main>"
                        + "<footer>Copyright footer text</footer></body></html>",
                "\"" + Integer.toHexString((path + body).hashCode()) + "\""));
        return this;
    }

    /** A redirect answered with {@code status} and a Location header. */
    public TestSite redirect(String path, int status, String location) {
        pages.put(path, new Page(status, "text/plain", location, null));
        return this;
    }

    public TestSite page(String path, Page page) {
        pages.put(path, page);
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public long requestsFor(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
        Page page = pages.get(path);
        int status;
        byte[] body = new byte[0];
        if (page == null) {
            status = 404;
            body = "not found".getBytes(StandardCharsets.UTF_8);
        } else if (page.etag() != null && page.etag().equals(ifNoneMatch)) {
            status = 304;
            exchange.getResponseHeaders().add("ETag", page.etag());
        } else if (page.status() >= 300 && page.status() < 400) {
            status = page.status();
            exchange.getResponseHeaders().add("Location", page.body());
        } else {
            status = page.status();
            body = page.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", page.contentType());
            if (page.etag() != null && status == 200) {
                exchange.getResponseHeaders().add("ETag", page.etag());
            }
        }
        requests.add(new Request(path, ifNoneMatch, status));
        exchange.sendResponseHeaders(status, status == 304 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
