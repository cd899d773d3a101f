package io.caravan.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Every connector under {@code connectors/} follows the Kamelet catalog's conventions and Caravan's tenant rule. */
class KameletConventionsTest {

    private static final Path CONNECTORS = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
            .resolve("connectors");
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(token|secret|password|passphrase|key|credential).*");
    private static final List<String> TYPES = List.of("source", "sink", "action");

    @Test
    void everyKameletFollowsTheConventions() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(CONNECTORS)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).as("connectors/*.kamelet.yaml").isNotEmpty()
                .allMatch(p -> p.getFileName().toString().endsWith(".kamelet.yaml"));
        for (Path file : files) {
            check(file);
        }
    }

    @SuppressWarnings("unchecked")
    private static void check(Path file) throws IOException {
        Map<String, Object> kamelet = new Yaml().load(Files.readString(file));
        String where = file.getFileName().toString();
        assertThat(kamelet.get("apiVersion")).as("apiVersion of %s", where).isEqualTo("camel.apache.org/v1");
        assertThat(kamelet.get("kind")).as("kind of %s", where).isEqualTo("Kamelet");
        Map<String, Object> metadata = (Map<String, Object>) kamelet.get("metadata");
        String name = (String) metadata.get("name");
        assertThat(where).isEqualTo(name + ".kamelet.yaml");
        assertThat(name).matches("[a-z][a-z0-9-]*-(source|sink|action)");
        Map<String, Object> labels = (Map<String, Object>) metadata.get("labels");
        String type = (String) labels.get("camel.apache.org/kamelet.type");
        assertThat(TYPES).as("kamelet.type label of %s", where).contains(type);
        assertThat(name).endsWith("-" + type);
        Map<String, Object> annotations = (Map<String, Object>) metadata.get("annotations");
        assertThat(annotations).as("catalog annotations of %s", where)
                .containsKeys("camel.apache.org/kamelet.support.level", "camel.apache.org/provider");

        Map<String, Object> spec = (Map<String, Object>) kamelet.get("spec");
        Map<String, Object> definition = (Map<String, Object>) spec.get("definition");
        assertThat((String) definition.get("title")).as("title of %s", where).isNotBlank();
        assertThat((String) definition.get("description")).as("description of %s", where).isNotBlank();
        assertThat(definition.get("type")).as("JSON-schema type of %s", where).isEqualTo("object");
        List<String> required = (List<String>) definition.get("required");
        assertThat(required).as("required properties of %s", where).contains("tenantId");
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) definition.get("properties");
        assertThat(properties).as("properties of %s", where).containsKey("tenantId");
        assertThat(properties.keySet()).containsAll(required);
        properties.forEach((property, schema) -> {
            assertThat((String) schema.get("title")).as("title of %s in %s", property, where).isNotBlank();
            assertThat((String) schema.get("description")).as("description of %s in %s", property, where).isNotBlank();
            assertThat(List.of("string", "integer", "number", "boolean", "array", "object"))
                    .as("JSON-schema type of %s in %s", property, where).contains((String) schema.get("type"));
            if (SECRET_NAME.matcher(property).matches()) {
                assertThat(schema.get("format")).as("%s in %s holds a secret", property, where).isEqualTo("password");
                List<String> descriptors = (List<String>) schema.get("x-descriptors");
                if (descriptors != null) {
                    assertThat(descriptors).as("x-descriptors of %s in %s", property, where)
                            .contains("urn:camel:group:credentials");
                }
            }
        });
        Map<String, Object> template = (Map<String, Object>) (spec.containsKey("template") ? spec.get("template")
                : spec.get("flow"));
        assertThat(template).as("template of %s", where).containsKey("from");
        String text = Files.readString(file);
        assertThat(text).as("%s stamps the tenant from its tenantId property", where)
                .containsPattern("name:\\s*CaravanTenantId\\s*\\n\\s*constant:\\s*\"\\{\\{tenantId}}\"");
        if ("source".equals(type)) {
            assertThat(text).as("%s emits to kamelet:sink", where).contains("kamelet:sink");
        }
        // endpoint names built from the tenant id separate it with '.', which tenant ids cannot hold: with '-',
        // tenant acme-eu's source x and tenant acme's source eu-x would share one (a timer's thread, for one)
        assertThat(text).as("%s names endpoints unambiguously per tenant", where)
                .doesNotContain("{{tenantId}}-").doesNotContain("-{{tenantId}}");
        // optional properties without a default are referenced as {{?x}}, so a missing one never fails the start
        properties.forEach((property, schema) -> {
            if (!required.contains(property) && !schema.containsKey("default")) {
                assertThat(text).as("optional %s in %s", property, where).doesNotContain("{{" + property + "}}");
            }
        });
    }
}
