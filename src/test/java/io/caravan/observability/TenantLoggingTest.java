package io.caravan.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Log lines written while handling a tenant's request or document carry its tenant_id; secrets never appear. */
@ExtendWith(OutputCaptureExtension.class)
class TenantLoggingTest extends HubTest {

    @Test
    void tenantWorkIsLoggedWithTheTenantAndWithoutKeys(CapturedOutput output) {
        String tenant = newTenant("logged");
        String key = newKey(tenant);
        String documentId = addText(key, "Log me", "Every line about this document names its tenant.");
        awaitStatus(key, documentId, "indexed");
        hub.postJson("/api/v1/query", key, "{\"question\":\"which tenant?\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> output.getAll().contains("Indexed document " + documentId));
        long linesAboutDocument = output.getAll().lines().filter(line -> line.contains(documentId)).count();
        assertThat(linesAboutDocument).isGreaterThanOrEqualTo(2);
        output.getAll().lines().filter(line -> line.contains(documentId))
                .forEach(line -> assertThat(line).contains("tenant_id=" + tenant));
        // the indexing line is written on a seda consumer thread, not the HTTP thread
        assertThat(output.getAll().lines().filter(line -> line.contains("Indexed document " + documentId)))
                .allMatch(line -> line.contains("index-document") || line.contains("tenant_id=" + tenant));

        assertThat(output.getAll()).doesNotContain(key).doesNotContain(ADMIN_TOKEN);
    }

    @Test
    void anInvalidKeyIsNotEchoedInLogsOrResponses(CapturedOutput output) {
        String forged = "cvn_forged-key-that-must-not-be-logged";
        HubClient.Response response = hub.get("/api/v1/documents", forged);
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.text()).doesNotContain(forged);
        assertThat(output.getAll()).doesNotContain(forged);
    }
}
