package io.caravan.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Import;
import org.springframework.util.unit.DataSize;

/** The {@code caravan.parse} block binds, with defaults, and the parser is a bean. */
class ParseSettingsTest {

    @EnableConfigurationProperties(ParseSettings.class)
    @Import(DocumentParser.class)
    static class Wiring {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Wiring.class);

    @Test
    void defaults() {
        context.run(app -> {
            assertThat(app).hasSingleBean(DocumentParser.class);
            assertThat(app.getBean(ParseSettings.class)).isEqualTo(ParseSettings.defaults());
        });
    }

    @Test
    void overrides() {
        context.withPropertyValues("caravan.parse.worker-heap=512MB", "caravan.parse.timeout=5s",
                "caravan.parse.max-chars=1000", "caravan.parse.in-process-html-max-bytes=64KB").run(app -> {
                    ParseSettings settings = app.getBean(ParseSettings.class);
                    assertThat(settings.workerHeap()).isEqualTo(DataSize.ofMegabytes(512));
                    assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(settings.maxChars()).isEqualTo(1000);
                    assertThat(settings.inProcessHtmlMaxBytes()).isEqualTo(DataSize.ofKilobytes(64));
                    assertThat(settings.workers()).isEqualTo(2);
                });
    }

    @Test
    void nonsenseIsRefusedAtStartUp() {
        context.withPropertyValues("caravan.parse.worker-heap=16MB").run(app -> assertThat(app).hasFailed());
    }
}
