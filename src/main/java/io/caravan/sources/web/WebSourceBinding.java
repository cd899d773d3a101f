package io.caravan.sources.web;

import io.caravan.sources.SourceBinding;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Source type {@code web}: the {@code web-source} Kamelet crawling {@code startUrls} on {@code schedule}. */
@Component
public class WebSourceBinding implements SourceBinding {

    private static final int MAX_PAGES_LIMIT = 100_000;

    private final WebSourceSettings settings;

    public WebSourceBinding(WebSourceSettings settings) {
        this.settings = settings;
    }

    @Override
    public String type() {
        return "web";
    }

    @Override
    public String kamelet() {
        return "web-source";
    }

    @Override
    public Map<String, String> properties(TenantId tenant, TenantConfig.Source source) {
        List<String> startUrls = source.startUrls();
        if (startUrls == null || startUrls.isEmpty()) {
            throw new IllegalArgumentException("startUrls is required");
        }
        for (String url : startUrls) {
            if (!isHttpUrl(url)) {
                throw new IllegalArgumentException("startUrls: '" + url + "' is not an absolute http(s) URL");
            }
            if (url.contains(",")) {
                throw new IllegalArgumentException("startUrls: '" + url + "' contains a comma");
            }
        }
        int maxPages = bounded("maxPages", source.maxPages(), settings.maxPages(), 1, MAX_PAGES_LIMIT);
        int maxDepth = bounded("maxDepth", source.maxDepth(), settings.maxDepth(), 0, 100);
        Duration schedule = schedule(source.schedule());
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("startUrls", String.join(",", startUrls));
        properties.put("maxPages", Integer.toString(maxPages));
        properties.put("maxDepth", Integer.toString(maxDepth));
        properties.put("period", Long.toString(schedule.toMillis()));
        properties.put("crawlDelayMs", Long.toString(settings.crawlDelay().toMillis()));
        properties.put("timeoutMs", Long.toString(settings.timeout().toMillis()));
        properties.put("userAgent", settings.userAgent());
        properties.put("maxRedirects", Integer.toString(settings.maxRedirects()));
        return properties;
    }

    private Duration schedule(String value) {
        if (value == null || value.isBlank()) {
            return settings.schedule();
        }
        try {
            Duration schedule = Duration.parse(value);
            if (schedule.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("schedule must be at least PT1S");
            }
            return schedule;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("schedule '" + value + "' is not an ISO-8601 duration such as PT6H");
        }
    }

    private static int bounded(String name, Integer value, int fallback, int min, int max) {
        int chosen = value == null ? fallback : value;
        if (chosen < min || chosen > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
        }
        return chosen;
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }
}
