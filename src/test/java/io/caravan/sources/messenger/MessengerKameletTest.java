package io.caravan.sources.messenger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The messenger-source Kamelet follows the Kamelet catalog conventions (DESIGN.md §8) and is in the jar. */
class MessengerKameletTest {

    @Test
    @SuppressWarnings("unchecked")
    void kameletFollowsTheCatalogConventions() throws IOException {
        Map<String, Object> kamelet;
        // copied to kamelets/ by the build (STACK.md #11), where the Kamelet component looks by default
        try (InputStream in = getClass().getResourceAsStream("/kamelets/messenger-source.kamelet.yaml")) {
            assertThat(in).isNotNull();
            kamelet = new Yaml().load(in);
        }
        assertThat(kamelet).containsEntry("kind", "Kamelet");
        Map<String, Object> metadata = (Map<String, Object>) kamelet.get("metadata");
        assertThat(metadata).containsEntry("name", "messenger-source");
        assertThat((Map<String, Object>) metadata.get("labels")).containsEntry("camel.apache.org/kamelet.type", "source");
        Map<String, Object> spec = (Map<String, Object>) kamelet.get("spec");
        Map<String, Object> definition = (Map<String, Object>) spec.get("definition");
        assertThat((String) definition.get("title")).isNotBlank();
        assertThat((String) definition.get("description")).isNotBlank();
        assertThat(definition).containsEntry("type", "object");
        assertThat((List<String>) definition.get("required"))
                .containsExactlyInAnyOrder("tenantId", "sourceId", "pageId", "pageAccessToken");
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) definition.get("properties");
        properties.forEach((name, property) -> {
            assertThat((String) property.get("title")).as(name).isNotBlank();
            assertThat((String) property.get("description")).as(name).isNotBlank();
            assertThat(property.get("type")).as(name).isNotNull();
        });
        assertThat(properties.get("pageAccessToken")).containsEntry("format", "password");
        assertThat(properties.get("appSecret")).containsEntry("format", "password");
        // the first step stamps the tenant from the required parameter
        Map<String, Object> from = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("from");
        Map<String, Object> first = ((List<Map<String, Object>>) from.get("steps")).get(0);
        assertThat((Map<String, Object>) first.get("setHeader"))
                .containsEntry("name", "CaravanTenantId").containsEntry("constant", "{{tenantId}}");
    }
}
