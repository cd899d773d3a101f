package io.caravan.sources.web;

import io.caravan.ingest.IngestLimits;
import io.caravan.sources.SourceItemHeaders;
import io.caravan.sources.SourceStatuses;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The web source's crawler (used by {@code connectors/web-source.kamelet.yaml}): from the start URLs, same site only
 * (scheme, host and port of a start URL), honouring robots.txt, {@code maxPages}, {@code maxDepth} and a pause per
 * host; conditional GETs with the validators remembered per tenant, source and URL, so an unchanged page (304) is
 * not offered again. It yields one item per changed page, lazily (the Kamelet's streaming split fetches one page
 * ahead of the one it offers), so a crawl never holds more than two pages. Pages that fail (404, 500, network, too large, unsupported type) become failed items,
 * quarantined by the hub; robots-disallowed and off-site pages (also redirects off-site) are skipped.
 */
@Component("webCrawler")
public class WebCrawler {

    private static final Logger LOG = LoggerFactory.getLogger(WebCrawler.class);
    /** Exchange property of a split item: the page, to remember after it was offered. */
    static final String PAGE = "CaravanWebPage";
    /** Exchange property of the timer's exchange: the crawl, to report when the split has offered every page. */
    static final String CRAWL = "CaravanWebCrawl";
    private static final Set<String> PASSED_AS_IS = Set.of("text/plain", "text/markdown", "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    private static final int MAX_ROBOTS_BYTES = 512 * 1024;

    private final WebPageStore pages;
    private final IngestLimits limits;
    private final SourceStatuses statuses;

    public WebCrawler(WebPageStore pages, IngestLimits limits, SourceStatuses statuses) {
        this.pages = pages;
        this.limits = limits;
        this.statuses = statuses;
    }

    /** Settings of one crawl, from the Kamelet's properties (set as exchange properties by its first steps). */
    record CrawlSettings(String sourceId, List<String> startUrls, int maxPages, int maxDepth, long crawlDelayMs,
                         Duration timeout, String userAgent, int maxRedirects) {

        static CrawlSettings of(Exchange exchange) {
            return new CrawlSettings(
                    exchange.getMessage().getHeader(SourceItemHeaders.SOURCE_ID, String.class),
                    Arrays.stream(property(exchange, "startUrls").split(",")).map(String::strip)
                            .filter(s -> !s.isEmpty()).toList(),
                    Integer.parseInt(property(exchange, "maxPages")),
                    Integer.parseInt(property(exchange, "maxDepth")),
                    Long.parseLong(property(exchange, "crawlDelayMs")),
                    Duration.ofMillis(Long.parseLong(property(exchange, "timeoutMs"))),
                    property(exchange, "userAgent"),
                    Integer.parseInt(property(exchange, "maxRedirects")));
        }

        private static String property(Exchange exchange, String name) {
            String value = exchange.getProperty(name, String.class);
            if (value == null) {
                throw new IllegalArgumentException("web-source property '" + name + "' is missing");
            }
            return value;
        }
    }

    /** Starts a crawl of the exchange's tenant; the pages are fetched as the iterator is walked. */
    public Iterator<CrawlItem> crawl(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        CrawlSettings settings = CrawlSettings.of(exchange);
        long generation = statuses.generation(tenant, settings.sourceId());
        LOG.info("Crawl of source {} starts at {}", settings.sourceId(), settings.startUrls());
        Crawl crawl = new Crawl(tenant, settings, generation);
        exchange.setProperty(CRAWL, crawl);
        return crawl;
    }

    /** After the split (also when it failed): the run is over, with its error if any. */
    public void finish(Exchange exchange) {
        Object crawl = exchange.getProperty(CRAWL);
        if (crawl instanceof Crawl run) {
            Throwable failure = exchange.getException() != null ? exchange.getException()
                    : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            run.finish(failure);
        }
    }

    /** Makes a split item an item of the source contract (body and headers). */
    public void toItem(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        Message message = exchange.getMessage();
        CrawlItem item = message.getMandatoryBody(CrawlItem.class);
        exchange.setProperty(PAGE, item);
        message.setHeader(SourceItemHeaders.URI, item.url());
        message.setHeader(SourceItemHeaders.TITLE, item.title());
        if (item.error() != null) {
            message.setHeader(SourceItemHeaders.ERROR, item.error());
            message.setHeader(SourceItemHeaders.ERROR_REASON, item.errorReason());
            message.setBody(null);
            return;
        }
        message.setHeader(SourceItemHeaders.CONTENT_TYPE, item.contentType());
        message.setBody(item.content());
    }

    /** After the hub took the page (queued, duplicate or quarantined): its validators make the next GET conditional. */
    public void remember(Exchange exchange) {
        CrawlItem item = exchange.getProperty(PAGE, CrawlItem.class);
        if (item == null || item.error() != null || (item.etag() == null && item.lastModified() == null)) {
            return;
        }
        TenantId tenant = TenantHeader.require(exchange);
        String sourceId = exchange.getMessage().getHeader(SourceItemHeaders.SOURCE_ID, String.class);
        pages.remember(tenant, sourceId, item.url(), item.etag(), item.lastModified(), item.links());
    }

    private record Target(String url, int depth) {
    }

    private record Fetched(HttpResponse<InputStream> response, URI uri) {
    }

    /** One crawl's state: frontier, pages seen, robots rules and last request per host. Used by one thread. */
    private final class Crawl implements Iterator<CrawlItem> {

        private final TenantId tenant;
        private final CrawlSettings settings;
        private final long generation;
        private final HttpClient http;
        private final Set<String> origins = new HashSet<>();
        private final Deque<Target> frontier = new ArrayDeque<>();
        private final Set<String> seen = new HashSet<>();
        private final Map<String, RobotsRules> robots = new HashMap<>();
        private final Map<String, Long> lastRequest = new HashMap<>();
        private final long maxBytes;
        private int fetched;
        private CrawlItem next;
        private boolean finished;
        private String runError;

        Crawl(TenantId tenant, CrawlSettings settings, long generation) {
            this.tenant = tenant;
            this.settings = settings;
            this.generation = generation;
            this.maxBytes = limits.maxDocumentBytes(tenant);
            this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                    .followRedirects(HttpClient.Redirect.NEVER).build(); // redirects are checked for the site
            for (String start : settings.startUrls()) {
                normalise(start).ifPresent(uri -> {
                    origins.add(origin(uri));
                    enqueue(uri.toString(), 0);
                });
            }
        }

        @Override
        public boolean hasNext() {
            if (next == null && !finished) {
                try {
                    next = advance();
                } catch (RuntimeException e) {
                    runError = "crawl failed: " + e;
                    LOG.warn("Crawl of source {} failed", settings.sourceId(), e);
                }
                if (next == null) {
                    finished = true;
                }
            }
            return next != null;
        }

        void finish(Throwable failure) {
            String error = failure == null ? runError : "crawl failed: " + failure.getMessage();
            statuses.runFinished(tenant, settings.sourceId(), error);
            LOG.info("Crawl of source {} finished: {} page(s) fetched{}", settings.sourceId(), fetched,
                    error == null ? "" : "; " + error);
        }

        @Override
        public CrawlItem next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            CrawlItem item = next;
            next = null;
            return item;
        }

        private CrawlItem advance() {
            while (!frontier.isEmpty() && fetched < settings.maxPages()) {
                if (!statuses.isCurrent(tenant, settings.sourceId(), generation)) {
                    LOG.info("Crawl of source {} ends early: the source was stopped or changed", settings.sourceId());
                    frontier.clear();
                    return null;
                }
                Optional<CrawlItem> item = visit(frontier.poll());
                if (item.isPresent()) {
                    return item.get();
                }
            }
            return null;
        }

        private Optional<CrawlItem> visit(Target target) {
            URI uri = URI.create(target.url());
            if (!rules(uri).allows(pathAndQuery(uri))) {
                LOG.debug("Skipping {}: disallowed by robots.txt", target.url());
                return Optional.empty();
            }
            fetched++;
            Optional<WebPageStore.Known> known = pages.find(tenant, settings.sourceId(), target.url());
            HttpResponse<InputStream> response;
            try {
                response = get(uri, known.orElse(null));
            } catch (IOException e) {
                return Optional.of(CrawlItem.failed(target.url(), "fetch_failed", "GET " + target.url() + ": " + e));
            }
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status == 304 && known.isPresent()) {
                    known.get().links().forEach(link -> follow(link, target.depth()));
                    return Optional.empty();
                }
                if (status >= 300 && status < 400 && status != 304) {
                    redirect(target, response);
                    return Optional.empty();
                }
                if (status != 200) {
                    return Optional.of(CrawlItem.failed(target.url(), "fetch_failed",
                            "GET " + target.url() + " answered HTTP " + status));
                }
                return Optional.of(page(target, response, body));
            } catch (IOException e) {
                return Optional.of(CrawlItem.failed(target.url(), "fetch_failed", "GET " + target.url() + ": " + e));
            }
        }

        private CrawlItem page(Target target, HttpResponse<InputStream> response, InputStream body) throws IOException {
            String contentType = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
            String mediaType = contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
            boolean html = mediaType.equals("text/html") || mediaType.equals("application/xhtml+xml");
            if (!html && !PASSED_AS_IS.contains(mediaType)) {
                return CrawlItem.failed(target.url(), "unsupported_type",
                        "content type '" + mediaType + "' of " + target.url() + " is not supported");
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            byte[] content = declared > maxBytes ? null : body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8,
                    maxBytes + 1));
            if (content == null || content.length > maxBytes) {
                return CrawlItem.failed(target.url(), "too_large", target.url() + " has more than " + maxBytes
                        + " bytes, the tenant's limit");
            }
            String etag = response.headers().firstValue("ETag").orElse(null);
            String lastModified = response.headers().firstValue("Last-Modified").orElse(null);
            if (!html) {
                return new CrawlItem(target.url(), target.url(), mediaType, content, null, null, etag, lastModified,
                        List.of());
            }
            PageText text = PageText.parse(new String(content, charset(contentType)), target.url());
            text.links().forEach(link -> follow(link, target.depth()));
            String title = text.title().isEmpty() ? target.url() : text.title();
            return new CrawlItem(target.url(), title, "text/plain", text.text(), null, null, etag, lastModified,
                    text.links());
        }

        /** A same-site redirect target is crawled like a link at the same depth; off-site ones are not followed. */
        private void redirect(Target target, HttpResponse<InputStream> response) {
            Optional<String> location = response.headers().firstValue("Location");
            if (location.isEmpty()) {
                return;
            }
            try {
                String resolved = URI.create(target.url()).resolve(location.get().strip()).toString();
                if (!follow(resolved, target.depth() - 1)) {
                    LOG.debug("Not following redirect of {} to {}", target.url(), resolved);
                }
            } catch (IllegalArgumentException e) {
                LOG.debug("Bad redirect location at {}", target.url());
            }
        }

        /** Queues a link found at {@code fromDepth}; false when it is off-site, too deep or seen. */
        private boolean follow(String link, int fromDepth) {
            if (fromDepth + 1 > settings.maxDepth()) {
                return false;
            }
            Optional<URI> uri = normalise(link);
            return uri.isPresent() && origins.contains(origin(uri.get())) && enqueue(uri.get().toString(), fromDepth + 1);
        }

        private boolean enqueue(String url, int depth) {
            if (seen.add(url)) {
                frontier.add(new Target(url, depth));
                return true;
            }
            return false;
        }

        private HttpResponse<InputStream> get(URI uri, WebPageStore.Known known) throws IOException {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.timeout()).GET()
                    .header("User-Agent", settings.userAgent())
                    .header("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5");
            if (known != null && known.etag() != null) {
                request.header("If-None-Match", known.etag());
            }
            if (known != null && known.lastModified() != null) {
                request.header("If-Modified-Since", known.lastModified());
            }
            politely(uri);
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        /** Waits until the host's last request is {@code crawlDelayMs} ago. */
        private void politely(URI uri) throws IOException {
            String host = uri.getHost() + ":" + uri.getPort();
            Long last = lastRequest.get(host);
            if (last != null && settings.crawlDelayMs() > 0) {
                long waitMs = settings.crawlDelayMs() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last);
                if (waitMs > 0) {
                    try {
                        TimeUnit.MILLISECONDS.sleep(waitMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
            }
            lastRequest.put(host, System.nanoTime());
        }

        /** robots.txt of the URL's site, fetched once per crawl; 4xx allows all, 5xx disallows all (RFC 9309). */
        private RobotsRules rules(URI uri) {
            return robots.computeIfAbsent(origin(uri), origin -> {
                URI robotsUri = URI.create(origin + "/robots.txt");
                try {
                    HttpResponse<InputStream> response = get(robotsUri, null);
                    try (InputStream body = response.body()) {
                        int status = response.statusCode();
                        if (status == 200) {
                            String text = new String(body.readNBytes(MAX_ROBOTS_BYTES), StandardCharsets.UTF_8);
                            return RobotsRules.parse(text, settings.userAgent());
                        }
                        if (status >= 500) {
                            runError = "robots.txt of " + origin + " answered HTTP " + status + "; site not crawled";
                            return RobotsRules.disallowAll();
                        }
                        return RobotsRules.allowAll();
                    }
                } catch (IOException e) {
                    // unreachable: the page requests will fail too and be quarantined, which says more
                    return RobotsRules.allowAll();
                }
            });
        }
    }

    /** http(s) only, fragment dropped, scheme and host lower case, empty path as "/". */
    static Optional<URI> normalise(String url) {
        try {
            URI uri = new URI(url.strip());
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
                return Optional.empty();
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            int port = uri.getPort();
            return Optional.of(new URI(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                    + (port < 0 ? "" : ":" + port) + path + query));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static String origin(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
        return uri.getScheme() + "://" + uri.getHost() + ":" + port;
    }

    private static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    private static Charset charset(String contentType) {
        for (String part : contentType.split(";")) {
            String p = part.strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=")) {
                try {
                    return Charset.forName(p.substring(8).replace("\"", ""));
                } catch (RuntimeException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
