package io.caravan.sources.web;

import java.util.List;

/**
 * One page a crawl hands on: its content (text or bytes) with type and title, or an error with the quarantine
 * reason; plus the validators and links to remember once it was offered.
 */
record CrawlItem(String url, String title, String contentType, Object content, String error, String errorReason,
                 String etag, String lastModified, List<String> links) {

    static CrawlItem failed(String url, String reason, String error) {
        return new CrawlItem(url, url, null, null, error, reason, null, null, List.of());
    }
}
