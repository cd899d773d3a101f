package io.caravan.config;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Environment-level settings of the hub. Every value here is a placeholder resolved by Spring
 * (properties, environment variables by relaxed binding); nothing is read from the working directory
 * except the data dir, whose default is documented.
 *
 * @param dataDir    embedded database, vector indexes, generated admin token and secrets key
 * @param adminToken admin bearer token; generated into the data dir when blank in the embedded mode
 * @param secretsKey base64 AES-256 key for tenant secrets; generated into the data dir when blank
 * @param requireExplicitSecrets true in production: refuse to generate the token or key
 */
@ConfigurationProperties("caravan")
public record CaravanProperties(
        @DefaultValue("./data") Path dataDir,
        String adminToken,
        String secretsKey,
        @DefaultValue("false") boolean requireExplicitSecrets) {
}
