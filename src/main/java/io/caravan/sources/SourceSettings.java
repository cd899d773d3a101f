package io.caravan.sources;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Hub-wide settings of source instances.
 *
 * @param stopTimeout how long stopping an instance waits for its run in progress before forcing it
 */
@ConfigurationProperties("caravan.sources")
public record SourceSettings(@DefaultValue("30s") Duration stopTimeout) {
}
