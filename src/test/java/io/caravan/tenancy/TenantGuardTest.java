package io.caravan.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.caravan.ingest.NewDocument;
import io.caravan.query.Question;
import io.caravan.support.HubTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.junit.jupiter.api.Tag;

/** The global route configuration: no route of the hub processes an exchange that carries no tenant. */
@Tag("contract")
class TenantGuardTest extends HubTest {

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    MeterRegistry meters;

    @Test
    void ingestAndQueryRoutesRefuseExchangesWithoutATenant() {
        NewDocument document = new NewDocument("t", "text".getBytes(StandardCharsets.UTF_8), "text/plain", "upload",
                null, null);
        assertThatThrownBy(() -> producer.requestBody("direct:ingest-document", document))
                .isInstanceOf(CamelExecutionException.class)
                .hasCauseInstanceOf(MissingTenantException.class);
        assertThatThrownBy(() -> producer.requestBody("direct:query", new Question("what?", 5, "standard", new CorpusVersion(java.time.Instant.EPOCH, 0))))
                .hasCauseInstanceOf(MissingTenantException.class);
    }

    @Test
    void everyDirectRouteRefusesExchangesWithoutATenant() {
        int checked = 0;
        for (Route route : camel.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (!uri.startsWith("direct:") && !uri.startsWith("direct://")) {
                continue;
            }
            assertThatThrownBy(() -> producer.requestBody(route.getEndpoint(), "doc_x"))
                    .as(route.getRouteId())
                    .hasCauseInstanceOf(MissingTenantException.class);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(7);
    }

    @Test
    void anInvalidTenantValueIsRefusedToo() {
        assertThatThrownBy(() -> producer.requestBodyAndHeader("direct:query", new Question("q", 5, "standard", new CorpusVersion(java.time.Instant.EPOCH, 0)),
                TenantHeader.NAME, "Not A Tenant"))
                .hasCauseInstanceOf(InvalidTenantIdException.class);
    }

    @Test
    void theIndexQueueConsumerRefusesTenantlessExchangesAndCountsThem() {
        double before = missing("route");
        producer.sendBody(camel.resolvePropertyPlaceholders("{{caravan.queues.index}}"), "doc_without_tenant");
        await().atMost(Duration.ofSeconds(20)).until(() -> missing("route") > before);
    }

    @Test
    void theAccessorThrowsWhenTheHeaderIsAbsent() {
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
        assertThatThrownBy(() -> TenantHeader.require(exchange)).isInstanceOf(MissingTenantException.class);
        TenantHeader.set(exchange, TenantId.of("acme"));
        assertThat(TenantHeader.require(exchange)).isEqualTo(TenantId.of("acme"));
    }

    private double missing(String surface) {
        var counter = meters.find("rag.tenant.missing").tag("surface", surface).counter();
        return counter == null ? 0 : counter.count();
    }
}
