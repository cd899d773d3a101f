package io.caravan.vector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The calls of Chroma's HTTP API v2 that langchain4j-chroma does not offer, or offers at a cost: look up a
 * collection without creating it, count, query without the stored vectors, list ids by metadata, delete by
 * ids, drop a database. Always scoped to one database.
 */
class ChromaRest implements AutoCloseable {

    /** More than the threads that can call at once (HTTP threads and index workers): a call never waits for one. */
    static final int MAX_CONNECTIONS = 256;
    /** The most of an error answer's body quoted in the exception. */
    static final int MAX_QUOTED = 500;

    private final ChromaSettings settings;
    private final CloseableHttpClient http;
    private final ObjectMapper json;

    ChromaRest(ChromaSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
        // a blocking client: each call runs on the caller's thread over a pooled keep-alive connection (the JDK
        // client hands every exchange to its selector and executor threads, ~0.5 ms more per query on 2 cores).
        // The timeout bounds the wait for a pooled connection, the connect, and each read. No retries (a 503's
        // Retry-After could hold a query for minutes; the ingest pipeline redelivers with back-off itself), no
        // redirects (Chroma answers where it is asked), no cookies.
        Timeout timeout = Timeout.of(settings.timeout());
        this.http = HttpClients.custom()
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(MAX_CONNECTIONS).setMaxConnPerRoute(MAX_CONNECTIONS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout)
                                .setSocketTimeout(timeout).setValidateAfterInactivity(TimeValue.ofSeconds(1)).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(timeout)
                        .setResponseTimeout(timeout).build())
                .build();
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
            HttpUriRequestBase request = new HttpUriRequestBase(method, URI.create(url));
            if (body != null) {
                request.setEntity(new ByteArrayEntity(json.writeValueAsBytes(body), ContentType.APPLICATION_JSON));
            }
            Answer answer = http.execute(request, response -> new Answer(response.getCode(),
                    response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8)));
            if (answer.status() == 404) {
                return Optional.empty();
            }
            if (answer.status() / 100 != 2) {
                String said = answer.body();
                throw new ChromaUnavailableException("Chroma " + method + " " + url + " answered " + answer.status()
                        + ": " + (said.length() > MAX_QUOTED ? said.substring(0, MAX_QUOTED) + "…" : said), null);
            }
            return Optional.of(answer.body().isBlank() ? json.nullNode() : json.readTree(answer.body()));
        } catch (ConnectionRequestTimeoutException e) {
            throw new ChromaUnavailableException("no free connection to Chroma at " + settings.baseUrl() + " within "
                    + settings.timeout() + " (all " + MAX_CONNECTIONS + " busy): " + method + " " + url, e);
        } catch (IOException e) {
            // unreachable, timed out, or an answer that is not JSON
            throw new ChromaUnavailableException("Chroma at " + settings.baseUrl() + " is unreachable or answered "
                    + "badly (" + method + " " + url + "): " + e, e);
        }
    }

    private record Answer(int status, String body) {
    }

    @Override
    public void close() throws IOException {
        http.close();
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
