package io.caravan.vector;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Chroma's REST client against a local server that answers Chroma's v2 paths badly: an error status, a body
 * that is not JSON, no answer within the timeout, a dropped connection. Each is a {@link ChromaUnavailableException}
 * naming the server and the call (never an empty result), and the next good answer goes through again.
 */
class ChromaRestFailuresTest {

    private static final WireMockServer CHROMA = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private static final String QUERY = "/api/v2/tenants/caravan-test/databases/caravan-acme/collections/c1/query";
    private static final String GOOD = """
            {"ids":[["a-0"]],"documents":[["text"]],"metadatas":[[{"tenant_id":"acme"}]],"distances":[[0.25]]}""";

    private ChromaRest rest;

    @BeforeAll
    static void start() {
        CHROMA.start();
    }

    @AfterAll
    static void stop() {
        CHROMA.stop();
    }

    @BeforeEach
    void client() {
        CHROMA.resetAll();
        rest = new ChromaRest(new ChromaSettings(CHROMA.baseUrl(), "caravan-test", "chunks", Duration.ofMillis(500)),
                new ObjectMapper());
    }

    @AfterEach
    void close() throws Exception {
        rest.close();
    }

    private JsonNode query() {
        return rest.query("caravan-acme", "c1", new float[] {1, 0, 0}, 5);
    }

    @Test
    void aGoodAnswerIsParsedAndTheQueryAsksForNoVectors() {
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody(GOOD)));

        assertThat(query().path("distances").path(0).path(0).asDouble()).isEqualTo(0.25);
        CHROMA.verify(postRequestedFor(urlEqualTo(QUERY))
                .withRequestBody(matchingJsonPath("$.n_results", equalTo("5")))
                .withRequestBody(matchingJsonPath("$.include[?(@ == 'embeddings')]", absent())));
    }

    @Test
    void anErrorStatusNamesTheCallAndChromasMessage() {
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withStatus(500)
                .withBody("{\"error\":\"InternalError\",\"message\":\"compaction failed\"}")));

        assertThatThrownBy(this::query).isInstanceOf(ChromaUnavailableException.class)
                .hasMessageContaining("POST " + CHROMA.baseUrl() + QUERY).hasMessageContaining("answered 500")
                .hasMessageContaining("compaction failed");
    }

    @Test
    void aBodyThatIsNotJsonIsAnErrorNotAnEmptyResult() {
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withBody("<html>proxy error</html>")));

        assertThatThrownBy(this::query).isInstanceOf(ChromaUnavailableException.class)
                .hasMessageContaining(CHROMA.baseUrl());
    }

    @Test
    void noAnswerWithinTheTimeoutIsAnErrorAndTheNextCallGoesThrough() {
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withBody(GOOD).withFixedDelay(5_000)));

        assertThatThrownBy(this::query).isInstanceOf(ChromaUnavailableException.class)
                .hasMessageContaining(CHROMA.baseUrl()).hasRootCauseInstanceOf(SocketTimeoutException.class);

        CHROMA.resetAll();
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withBody(GOOD)));
        assertThat(query().path("ids").path(0).path(0).asText()).isEqualTo("a-0");
    }

    @Test
    void aBusyChromaIsAskedOnceNotAgainAfterItsRetryAfter() {
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "600")
                .withBody("x".repeat(5_000))));

        assertThatThrownBy(this::query).isInstanceOf(ChromaUnavailableException.class)
                .hasMessageContaining("answered 503")
                .hasMessageNotContaining("x".repeat(ChromaRest.MAX_QUOTED + 1)); // the body is quoted, cut short
        CHROMA.verify(1, postRequestedFor(urlEqualTo(QUERY)));
    }

    @Test
    void aRedirectIsNotFollowed() {
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withStatus(302).withHeader("Location", "/elsewhere")));
        CHROMA.stubFor(get(urlEqualTo("/elsewhere")).willReturn(aResponse().withBody(GOOD)));

        assertThatThrownBy(this::query).isInstanceOf(ChromaUnavailableException.class).hasMessageContaining("answered 302");
        CHROMA.verify(0, getRequestedFor(urlEqualTo("/elsewhere")));
    }

    @Test
    void aDroppedConnectionIsAnError() {
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(this::query).isInstanceOf(ChromaUnavailableException.class)
                .hasMessageContaining(CHROMA.baseUrl());
    }

    @Test
    void aMissingCollectionIsEmptyForALookupAndAnErrorForACall() {
        CHROMA.stubFor(get(urlEqualTo("/api/v2/tenants/caravan-test/databases/caravan-acme/collections/chunks"))
                .willReturn(aResponse().withStatus(404).withBody("{\"error\":\"NotFoundError\"}")));
        CHROMA.stubFor(post(urlEqualTo(QUERY)).willReturn(aResponse().withStatus(404)));

        assertThat(rest.collectionId("caravan-acme", "chunks")).isEmpty();
        assertThatThrownBy(this::query).isInstanceOf(ChromaRest.NotFoundException.class);
    }
}
