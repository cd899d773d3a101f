package io.caravan.vector;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the Chroma vector store lives (production mode, {@code caravan.vector.store=chroma}).
 *
 * @param url        base URL of the Chroma 1.x server ({@code CARAVAN_CHROMA_URL}), e.g. http://127.0.0.1:8000
 * @param tenant     the Chroma tenant holding one database per Caravan tenant
 * @param collection name of the single collection inside each tenant's database
 * @param timeout    bounds the connect, each read and the wait for a pooled connection of every Chroma call
 */
@ConfigurationProperties("caravan.chroma")
public record ChromaSettings(
        String url,
        @DefaultValue("caravan") String tenant,
        @DefaultValue("chunks") String collection,
        @DefaultValue("10s") Duration timeout) {

    /** The URL without a trailing slash; refuses a missing one, naming the setting. */
    String baseUrl() {
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("caravan.chroma.url (CARAVAN_CHROMA_URL) is not set");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
