package io.caravan.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.support.HubTest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A hostile corpus uploaded through the HTTP API next to good documents: each bad file ends in the
 * quarantine with the right reason, each good one is indexed, and the hub keeps answering.
 */
class HostileUploadsTest extends HubTest {

    private record Upload(String fileName, String contentType, byte[] content) {
    }

    @Test
    void badFilesAreQuarantinedWithTheirReasonAndGoodOnesIndexed() {
        String tenant = newTenant("hostile");
        String key = newKey(tenant);
        HubClient.Response config = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"maxDocumentBytes\":52000000}}");
        assertThat(config.status()).isEqualTo(200);

        Map<Upload, String> bad = new LinkedHashMap<>();
        bad.put(new Upload("corrupt.pdf", "application/pdf", HostileCorpus.corruptPdf()), "parse_error");
        bad.put(new Upload("secret.pdf", "application/pdf", HostileCorpus.encryptedPdf("classified")), "parse_error");
        bad.put(new Upload("bomb.pdf", "application/pdf", HostileCorpus.zipBomb(1L << 30)), "unsupported_type");
        bad.put(new Upload("bomb.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                HostileCorpus.docxBomb(2L << 30)), "too_large");
        bad.put(new Upload("server.log", "text/plain", HostileCorpus.logDump(50_000_000)), "too_large");
        bad.put(new Upload("noise.txt", "text/plain", HostileCorpus.noise(100_000, 42)), "unsupported_type");
        bad.put(new Upload("latin1.txt", "text/plain", "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e"
                .getBytes(StandardCharsets.ISO_8859_1)), "parse_error");
        bad.put(new Upload("line.txt", "text/plain", ("word ".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8)),
                "too_many_chunks");
        bad.put(new Upload("scripts.html", "text/html",
                "<html><head><script>var a = 1;</script></head><body><script>alert(1)</script></body></html>"
                        .getBytes(StandardCharsets.UTF_8)), "empty_content");

        Map<Upload, String> good = new LinkedHashMap<>();
        good.put(new Upload("manual.pdf", "application/pdf", HostileCorpus.handWrittenPdf("The anvil weighs forty kilograms.")),
                "forty kilograms");
        good.put(new Upload("memo.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                HostileCorpus.docx("The memo says the cafeteria closes at three.")), "closes at three");
        good.put(new Upload("page.html", "text/html", ("<html><head><script>tracking()</script></head><body>"
                + "<nav>Home | About</nav><p>The rocket launches from pad thirty-nine.</p></body></html>")
                .getBytes(StandardCharsets.UTF_8)), "pad thirty-nine");
        good.put(new Upload("notes.md", "text/markdown", "# Notes\n\nThe coyote orders from Acme every week."
                .getBytes(StandardCharsets.UTF_8)), "every week");

        Map<String, String> expectedReason = new HashMap<>();
        bad.forEach((upload, reason) -> expectedReason.put(upload(key, upload), reason));
        Map<String, String> expectedText = new HashMap<>();
        good.forEach((upload, text) -> expectedText.put(upload(key, upload), text));

        expectedText.keySet().forEach(id -> awaitStatus(key, id, "indexed"));
        expectedReason.keySet().forEach(id -> awaitStatus(key, id, "quarantined"));

        Map<String, String> actualReason = new HashMap<>();
        for (JsonNode item : hub.get("/api/v1/quarantine", key).json().get("items")) {
            actualReason.put(item.get("documentId").asText(), item.get("reason").asText());
            assertThat(item.get("stage").asText()).isIn("parse", "chunk");
        }
        assertThat(actualReason).isEqualTo(expectedReason);

        for (Map.Entry<String, String> entry : expectedText.entrySet()) {
            JsonNode answer = hub.postJson("/api/v1/query", key,
                    "{\"question\":" + quote(entry.getValue()) + ",\"topK\":1}").json();
            assertThat(answer.get("citations").get(0).get("documentId").asText()).isEqualTo(entry.getKey());
            assertThat(answer.get("answer").asText()).contains(entry.getValue());
        }
    }

    /**
     * {@code limits.parseTimeout} is the tenant's own: the same slow DOCX is stopped by the clock for a tenant with
     * a 1 ms limit ({@code parse_error}) and indexed under the hub's default.
     */
    @Test
    void aTenantsParseTimeLimitStopsItsSlowDocuments() {
        String impatient = newTenant("impatient");
        String impatientKey = newKey(impatient);
        String patient = newTenant("patient");
        String patientKey = newKey(patient);
        HubClient.Response config = hub.putJson("/admin/v1/tenants/" + impatient + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"parseTimeout\":\"PT0.001S\"}}");
        assertThat(config.status()).as(config.text()).isEqualTo(200);
        assertThat(config.json().path("limits").path("parseTimeout").asText()).isEqualTo("PT0.001S");
        Upload slow = new Upload("slow.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                HostileCorpus.slowDocx("The night ferry leaves at eleven."));

        String stopped = upload(impatientKey, slow);
        awaitStatus(impatientKey, stopped, "quarantined");
        JsonNode item = hub.get("/api/v1/quarantine", impatientKey).json().get("items").get(0);
        assertThat(item.get("reason").asText()).isEqualTo("parse_error");
        assertThat(item.get("error").asText()).contains("did not finish within 1 ms");

        awaitStatus(patientKey, upload(patientKey, slow), "indexed");
        // unset, the limit is not written out (a replica of an earlier version refuses unknown fields)
        JsonNode limits = hub.get("/admin/v1/tenants/" + patient, ADMIN_TOKEN).json().path("config").path("limits");
        assertThat(limits.isObject()).as(limits.toString()).isTrue();
        assertThat(limits.has("parseTimeout")).isFalse();
    }

    @Test
    void aParseTimeLimitMustBeADurationFromAMillisecondToAMinute() {
        String tenant = newTenant("parse-limit");
        for (String bad : new String[] {"PT0S", "PT0.0001S", "-PT1S", "PT61S", "PT2H", "30 seconds", ""}) {
            HubClient.Response response = hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                    "{\"limits\":{\"parseTimeout\":" + quote(bad) + "}}");
            assertThat(response.status()).as(bad + ": " + response.text()).isEqualTo(400);
            assertThat(response.code()).isEqualTo("invalid_request");
            assertThat(response.text()).contains("limits.parseTimeout");
        }
        assertThat(hub.putJson("/admin/v1/tenants/" + tenant + "/config", ADMIN_TOKEN,
                "{\"limits\":{\"parseTimeout\":\"PT1M\"}}").status()).isEqualTo(200);
    }

    @Test
    void anUploadOverTheTenantsLimitIsRefusedWith413() {
        String tenant = newTenant("limits");
        String key = newKey(tenant);
        HubClient.Response response = hub.upload("/api/v1/documents", key, "server.log", "text/plain",
                HostileCorpus.logDump(11_000_000));
        assertThat(response.status()).isEqualTo(413);
        assertThat(response.code()).isEqualTo("payload_too_large");
    }

    private String upload(String key, Upload upload) {
        HubClient.Response response = hub.upload("/api/v1/documents", key, upload.fileName(), upload.contentType(),
                upload.content());
        assertThat(response.status()).as(upload.fileName() + ": " + response.text()).isEqualTo(202);
        return response.field("documentId");
    }
}
