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
    TenantVectorStore chromaVectorStore(ChromaSettings settings, TenantMetrics metrics) {
        return new MeteredVectorStore(chroma(settings), metrics);
    }

    /** The Chroma store as the hub builds it (tests reuse this). */
    static ChromaVectorStore chroma(ChromaSettings settings) {
        return new ChromaVectorStore(settings, new ChromaRest(settings, new ObjectMapper()), Clock.systemUTC());
    }
}
