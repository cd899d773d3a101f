package io.caravan.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** A real HTTP client for the hub under test, speaking JSON and multipart like a user's curl would. */
public final class HubClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public HubClient(String base) {
        this.base = base;
    }

    /** A response with its body parsed when it is JSON. */
    public record Response(int status, String contentType, String text, JsonNode json,
                           java.net.http.HttpHeaders headers) {
        public String code() {
            return json == null || json.get("code") == null ? null : json.get("code").asText();
        }

        public String field(String name) {
            return json == null || json.get(name) == null ? null : json.get(name).asText();
        }
    }

    public Response get(String path, String token) {
        return send(builder(path, token, Map.of()).GET().build());
    }

    public Response delete(String path, String token) {
        return send(builder(path, token, Map.of()).DELETE().build());
    }

    public Response postJson(String path, String token, String json) {
        return postJson(path, token, json, Map.of());
    }

    public Response postJson(String path, String token, String json, Map<String, String> headers) {
        return send(builder(path, token, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Response putJson(String path, String token, String json) {
        return send(builder(path, token, Map.of()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Response send(String path, String token, String contentType, String body) {
        return send(builder(path, token, Map.of()).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** POSTs exact bytes (no re-encoding), e.g. a signed webhook body. */
    public Response postBytes(String path, String contentType, byte[] body, Map<String, String> headers) {
        return send(builder(path, null, headers).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public Response post(String path, String token) {
        return send(builder(path, token, Map.of()).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    public Response upload(String path, String token, String fileName, String contentType, byte[] content) {
        String boundary = "caravan-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        return send(builder(path, token, Map.of())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private HttpRequest.Builder builder(String path, String token, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        headers.forEach(builder::header);
        return builder;
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = null;
            if (type.contains("json") && !response.body().isEmpty()) {
                json = JSON.readTree(response.body());
            }
            return new Response(response.statusCode(), type, response.body(), json, response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
