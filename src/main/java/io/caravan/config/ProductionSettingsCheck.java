package io.caravan.config;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Refuses to start the production profile ({@code caravan.require-explicit-secrets=true}) with settings missing,
 * naming all of them in one message: checked before any bean exists, so an operator fixes the deployment once
 * instead of meeting the missing settings one failed start at a time.
 */
public class ProductionSettingsCheck implements EnvironmentPostProcessor {

    /** A required setting: its property, the environment variable that usually sets it, and what it is. */
    private record Required(String property, String variable, String what) {
    }

    private static final List<Required> REQUIRED = List.of(
            new Required("caravan.admin-token", "CARAVAN_ADMIN_TOKEN", "the admin bearer token"),
            new Required("caravan.secrets-key", "CARAVAN_SECRETS_KEY", "the base64 AES-256 key of tenant secrets"),
            new Required("spring.datasource.url", "SPRING_DATASOURCE_URL", "the PostgreSQL JDBC URL"),
            new Required("caravan.chroma.url", "CARAVAN_CHROMA_URL", "the Chroma server URL"),
            new Required("caravan.kafka.brokers", "CARAVAN_KAFKA_BROKERS", "the Kafka bootstrap servers"));

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty("caravan.require-explicit-secrets", Boolean.class, false)) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (Required required : REQUIRED) {
            String value = environment.getProperty(required.property());
            if (value == null || value.isBlank()) {
                problems.add(required.variable() + " is required (" + required.property() + ": " + required.what()
                        + ")");
            }
        }
        String url = environment.getProperty("spring.datasource.url");
        if (url != null && !url.isBlank() && !url.startsWith("jdbc:postgresql:")) {
            // only the URL's scheme is shown: the rest may carry credentials
            problems.add("SPRING_DATASOURCE_URL must be a PostgreSQL URL (jdbc:postgresql://...), not "
                    + url.substring(0, Math.min(url.indexOf(':', 5) + 1, url.length())) + "...");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The production profile cannot start; missing or invalid settings: "
                    + String.join("; ", problems));
        }
    }
}
