package io.caravan.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kamelet properties travel as RAW values, so URLs, separators and secrets reach the Kamelet unchanged. */
class SourceUriTest {

    @Test
    void everyValueIsRawAndNullsAreLeftOut() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("tenantId", "acme");
        properties.put("startUrls", "https://a.example/?x=1&y=2,https://b.example/");
        properties.put("clientSecret", "p@ss+w=rd(1)");
        properties.put("optional", null);

        assertThat(SourceManager.query(properties)).isEqualTo("tenantId=RAW(acme)"
                + "&startUrls=RAW(https://a.example/?x=1&y=2,https://b.example/)&clientSecret=RAW{p@ss+w=rd(1)}");
    }

    @Test
    void aValueThatNoRawFormCanCarryIsRefused() {
        assertThatThrownBy(() -> SourceManager.query(Map.of("token", "a)b}c")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("a)b}c");
    }
}
