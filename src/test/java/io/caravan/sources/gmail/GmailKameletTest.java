package io.caravan.sources.gmail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** gmail-source follows the Kamelet catalog conventions, as packaged in the jar (classpath:kamelets). */
class GmailKameletTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    @SuppressWarnings("unchecked")
    void followsTheCatalogConventions() throws IOException {
        Map<String, Object> kamelet;
        try (InputStream in = getClass().getResourceAsStream("/kamelets/gmail-source.kamelet.yaml")) {
            assertThat(in).as("kamelets/gmail-source.kamelet.yaml on the classpath").isNotNull();
            kamelet = new Yaml().load(in);
        }
        assertThat(kamelet).containsEntry("kind", "Kamelet");
        assertThat(map(kamelet.get("metadata"))).containsEntry("name", "gmail-source");
        assertThat(map(map(kamelet.get("metadata")).get("labels")))
                .containsEntry("camel.apache.org/kamelet.type", "source");
        Map<String, Object> definition = map(map(kamelet.get("spec")).get("definition"));
        assertThat((String) definition.get("title")).isNotBlank();
        assertThat((String) definition.get("description")).isNotBlank();
        assertThat(definition).containsEntry("type", "object");
        assertThat((List<String>) definition.get("required"))
                .containsExactlyInAnyOrder("tenantId", "sourceId", "clientId", "clientSecret", "refreshToken");
        Map<String, Object> properties = map(definition.get("properties"));
        properties.forEach((name, property) -> {
            assertThat((String) map(property).get("title")).as(name).isNotBlank();
            assertThat((String) map(property).get("description")).as(name).isNotBlank();
        });
        assertThat(map(properties.get("clientSecret"))).containsEntry("format", "password");
        assertThat(map(properties.get("refreshToken"))).containsEntry("format", "password");
        assertThat(map(properties.get("query"))).containsEntry("default", "is:unread");

        // the first step stamps the tenant from the required parameter
        Map<String, Object> from = map(map(map(kamelet.get("spec")).get("template")).get("from"));
        Map<String, Object> first = map(((List<Object>) from.get("steps")).get(0));
        assertThat(map(first.get("setHeader"))).containsEntry("name", "CaravanTenantId")
                .containsEntry("constant", "{{tenantId}}");
    }
}
