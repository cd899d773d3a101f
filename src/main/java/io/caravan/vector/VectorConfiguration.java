package io.caravan.vector;

import io.caravan.config.DataDirectory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the vector store implementation; the embedded one is the default. */
@Configuration(proxyBeanMethods = false)
class VectorConfiguration {

    @Bean
    TenantVectorStore tenantVectorStore(DataDirectory dataDirectory) {
        return new EmbeddedVectorStore(dataDirectory);
    }
}
