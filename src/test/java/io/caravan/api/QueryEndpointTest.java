package io.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.support.HubTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP surface of {@code POST /api/v1/query}, served by its own servlet rather than Spring MVC: methods,
 * content types, bodies and the answer's framing behave as for every other endpoint, errors are problem+json,
 * and the request is still timed under its path.
 */
class QueryEndpointTest extends HubTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String key;

    @BeforeEach
    void tenant() {
        key = newKey(newTenant("endpoint"));
    }

    @Test
    void answersWithJsonInOnePieceOfKnownLength() throws Exception {
        String documentId = addText(key, "Harbour", "The harbour office opens at seven in the morning.");
        awaitStatus(key, documentId, "indexed");

        HttpResponse<byte[]> answered = send("POST", "application/json; charset=UTF-8", null,
                "{\"question\":\"When does the harbour office open?\",\"topK\":3}");

        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(answered.headers().firstValueAsLong("Content-Length")).hasValue(answered.body().length);
        assertThat(answered.headers().firstValue("Transfer-Encoding")).isEmpty();
        JsonNode answer = JSON.readTree(answered.body());
        assertThat(answer.get("answer").asText()).contains("seven");
        assertThat(answer.get("citations").get(0).get("documentId").asText()).isEqualTo(documentId);

        // timed under its path, like every Spring MVC endpoint (the timer stops as the response completes)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(hub.get("/actuator/prometheus", null)
                .text()).containsPattern(
                        "http_server_requests_seconds_count\\{[^}]*status=\"200\"[^}]*uri=\"/api/v1/query\""));
    }

    @Test
    void refusesOtherMethods() throws Exception {
        for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH"}) {
            HttpResponse<byte[]> refused = send(method, "application/json", null, "{\"question\":\"q\"}");
            problem(refused, 405, "invalid_request");
            assertThat(JSON.readTree(refused.body()).get("detail").asText())
                    .isEqualTo("Request method '" + method + "' is not supported");
        }
        assertThat(send("HEAD", "application/json", null, new byte[0]).statusCode()).isEqualTo(405);
        HttpResponse<byte[]> options = send("OPTIONS", null, null, new byte[0]);
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.headers().firstValue("Allow")).hasValueSatisfying(
                allow -> assertThat(allow.split(",")).contains("POST").doesNotContain("GET"));
    }

    @Test
    void refusesOtherContentTypes() throws Exception {
        problem(send("POST", "text/plain", null, "{\"question\":\"q\"}"), 415, "unsupported_media_type");
        problem(send("POST", "application/x-www-form-urlencoded", null, "question=q"), 415,
                "unsupported_media_type");
        HttpResponse<byte[]> untyped = send("POST", null, null, "{\"question\":\"q\"}");
        problem(untyped, 415, "unsupported_media_type");
        assertThat(JSON.readTree(untyped.body()).get("detail").asText())
                .isEqualTo("content type null is not supported here");
        problem(send("POST", "not a media type", null, "{\"question\":\"q\"}"), 415, "unsupported_media_type");
    }

    @Test
    void answersJsonOnly() throws Exception {
        problem(send("POST", "application/json", "text/html", "{\"question\":\"q\"}"), 400, "invalid_request");
        problem(send("POST", "application/json", "text/html;;;=", "{\"question\":\"q\"}"), 400,
                "invalid_request");
        // what a client that accepts anything, or JSON among others, gets is an answer
        assertThat(send("POST", "application/json", "text/html, */*;q=0.1", "{\"question\":\"q\"}").statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "application/json", "application/*", "{\"question\":\"q\"}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void refusesBodiesThatAreNotAQuestion() throws Exception {
        for (String body : new String[] {"", "null", "[]", "\"q\"", "{\"question\":", "{\"question\":[1]}",
                "{\"question\":\"q\",\"topK\":\"many\"}"}) {
            problem(send("POST", "application/json", null, body), 400, "invalid_request");
        }
        HttpResponse<byte[]> unknown = send("POST", "application/json", null,
                "{\"question\":\"q\",\"tenantId\":\"someone-else\"}");
        problem(unknown, 400, "invalid_request");
        assertThat(JSON.readTree(unknown.body()).get("detail").asText()).isEqualTo("unknown field 'tenantId'");
        byte[] notUtf8 = "{\"question\":\"caf_\"}".getBytes(StandardCharsets.US_ASCII);
        notUtf8[16] = (byte) 0xff; // the '_'
        problem(send("POST", "application/json", null, notUtf8), 400, "invalid_request");
        // a charset the client declares is the one read: ISO-8859-1's 0xe9 is an 'é', not broken UTF-8
        byte[] latin1 = "{\"question\":\"caf\u00e9?\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(send("POST", "application/json; charset=ISO-8859-1", null, latin1).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesRequestsWithoutAKey() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"question\":\"q\"}")).build();
        problem(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), 401, "unauthenticated");
    }

    private HttpResponse<byte[]> send(String method, String contentType, String accept, String body)
            throws Exception {
        return send(method, contentType, accept, body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<byte[]> send(String method, String contentType, String accept, byte[] body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void problem(HttpResponse<byte[]> response, int status, String code) throws Exception {
        String text = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.statusCode()).as(text).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as(text).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(text);
        assertThat(problem.get("code").asText()).as(text).isEqualTo(code);
        assertThat(problem.get("status").asInt()).as(text).isEqualTo(status);
        assertThat(problem.get("detail").asText()).as(text).isNotBlank();
    }
}
