package io.caravan.sources;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Hub-wide settings of source instances.
 *
 * @param stopTimeout how long stopping an instance waits for its run in progress before forcing it
 * @param enabled     whether this replica runs source instances at all ({@code CARAVAN_SOURCES_ENABLED}); with
 *                    several replicas, set it {@code false} on all but one so each source runs once. A replica
 *                    without sources still serves the API and the webhooks (they are HTTP); its
 *                    {@code GET /api/v1/sources} shows every source {@code stopped}.
 */
@ConfigurationProperties("caravan.sources")
public record SourceSettings(@DefaultValue("30s") Duration stopTimeout, @DefaultValue("true") boolean enabled) {
}
