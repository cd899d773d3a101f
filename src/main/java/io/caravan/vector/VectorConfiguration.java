package io.caravan.vector;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.config.DataDirectory;
import io.caravan.observability.TenantMetrics;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses the vector store by {@code caravan.vector.store}: {@code embedded} (default) or {@code chroma}
 * (production). Any other value leaves no store, so the hub refuses to start.
 */
@Configuration(proxyBeanMethods = false)
class VectorConfiguration {

    @Bean
    @ConditionalOnProperty(name = "caravan.vector.store", havingValue = "embedded", matchIfMissing = true)
    TenantVectorStore tenantVectorStore(DataDirectory dataDirectory, TenantMetrics metrics) {
        return new MeteredVectorStore(new EmbeddedVectorStore(dataDirectory), metrics);
    }

    @Bean
    @ConditionalOnProperty(name = "caravan.vector.store", havingValue = "chroma")
    TenantVectorStore chromaVectorStore(ChromaSettings settings, ChromaRest chromaRest, TenantMetrics metrics) {
        return new MeteredVectorStore(new ChromaVectorStore(settings, chromaRest, Clock.systemUTC()), metrics);
    }

    /** Chroma's HTTP client, a bean of its own so that its connections are closed with the context. */
    @Bean
    @ConditionalOnProperty(name = "caravan.vector.store", havingValue = "chroma")
    ChromaRest chromaRest(ChromaSettings settings) {
        return new ChromaRest(settings, new ObjectMapper());
    }

    /** The Chroma store as the hub builds it (tests reuse this). */
    static ChromaVectorStore chroma(ChromaSettings settings) {
        return new ChromaVectorStore(settings, new ChromaRest(settings, new ObjectMapper()), Clock.systemUTC());
    }
}
