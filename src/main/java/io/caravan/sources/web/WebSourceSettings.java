package io.caravan.sources.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Hub-wide defaults of web sources ({@code caravan.sources.web.*}); a source's own {@code maxPages}, {@code maxDepth}
 * and {@code schedule} win.
 *
 * @param maxPages    pages fetched per crawl
 * @param maxDepth    link hops from a start URL
 * @param schedule    time between the end of one crawl and the start of the next (the first runs at start)
 * @param crawlDelay  pause between two requests to the same host (politeness)
 * @param timeout     connect and response timeout of each request
 * @param userAgent   sent with every request and matched against robots.txt groups
 * @param maxRedirects redirects followed per page (same site only)
 */
@ConfigurationProperties("caravan.sources.web")
public record WebSourceSettings(
        @DefaultValue("100") int maxPages,
        @DefaultValue("3") int maxDepth,
        @DefaultValue("PT6H") Duration schedule,
        @DefaultValue("500ms") Duration crawlDelay,
        @DefaultValue("20s") Duration timeout,
        @DefaultValue("CaravanBot/0.1") String userAgent,
        @DefaultValue("5") int maxRedirects) {
}
