package io.caravan.vector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The calls of Chroma's HTTP API v2 that langchain4j-chroma does not offer, or offers at a cost: look up a
 * collection without creating it, count, query without the stored vectors, list ids by metadata, delete by
 * ids, drop a database. Always scoped to one database.
 */
class ChromaRest {

    private final ChromaSettings settings;
    private final HttpClient http;
    private final ObjectMapper json;

    ChromaRest(ChromaSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    /** The collection's id, or empty when the database or collection does not exist. */
    Optional<String> collectionId(String database, String collection) {
        return send("GET", database + "/collections/" + encode(collection), null)
                .map(body -> body.get("id").asText());
    }

    int count(String database, String collectionId) {
        return found(send("GET", database + "/collections/" + collectionId + "/count", null)).asInt();
    }

    /** Ids of the records whose metadata field equals the value (a scan, but only of this tenant's collection). */
    List<String> idsWhere(String database, String collectionId, String field, String value) {
        Map<String, Object> body = Map.of("where", Map.of(field, Map.of("$eq", value)), "include", List.of());
        List<String> ids = new ArrayList<>();
        found(send("POST", database + "/collections/" + collectionId + "/get", body))
                .get("ids").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    /**
     * The collection's {@code topK} nearest records to the vector, as Chroma answers them (one row per query in
     * {@code ids}, {@code documents}, {@code metadatas}, {@code distances}). The stored vectors are not asked
     * for: nothing downstream of a search uses them, and they are most of the answer's bytes.
     */
    JsonNode query(String database, String collectionId, float[] vector, int topK) {
        Map<String, Object> body = Map.of("query_embeddings", List.of(vector), "n_results", topK,
                "include", List.of("documents", "metadatas", "distances"));
        return found(send("POST", database + "/collections/" + collectionId + "/query", body));
    }

    void deleteIds(String database, String collectionId, List<String> ids) {
        if (!ids.isEmpty()) {
            found(send("POST", database + "/collections/" + collectionId + "/delete", Map.of("ids", ids)));
        }
    }

    /** Drops the whole database; false when it did not exist. */
    boolean deleteDatabase(String database) {
        return send("DELETE", database, null).isPresent();
    }

    /** A collection-scoped call must find its collection: a 404 means it was deleted meanwhile. */
    private static JsonNode found(Optional<JsonNode> answer) {
        return answer.orElseThrow(() -> new NotFoundException("the collection no longer exists in Chroma"));
    }

    /** Sends one call; a 404 is empty, any other failure throws naming the server and the call. */
    private Optional<JsonNode> send(String method, String path, Object body) {
        // the URL is checked on use, so a missing setting fails the call (and the start-up check names it)
        String url = settings.baseUrl() + "/api/v2/tenants/" + encode(settings.tenant()) + "/databases/" + path;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(settings.timeout())
                    .header("Content-Type", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() / 100 != 2) {
                throw new ChromaUnavailableException("Chroma " + method + " " + url + " answered "
                        + response.statusCode() + ": " + response.body(), null);
            }
            String text = response.body();
            return Optional.of(text == null || text.isBlank() ? json.nullNode() : json.readTree(text));
        } catch (IOException e) {
            throw new ChromaUnavailableException("Chroma at " + settings.baseUrl() + " is unreachable ("
                    + method + " " + url + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChromaUnavailableException("interrupted while calling Chroma at " + settings.baseUrl(), e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }

    /** A collection or database that does not exist (any more). */
    static class NotFoundException extends ChromaUnavailableException {

        NotFoundException(String message) {
            super(message, null);
        }
    }
}
