package io.caravan.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The index queue serves tenants round-robin, each tenant's documents in order. */
class FairIngestQueueTest {

    private final CamelContext camel = new DefaultCamelContext();

    @Test
    void aNewTenantIsServedBeforeAnotherTenantsBacklog() {
        FairIngestQueue queue = new FairIngestQueue(10_000);
        for (int i = 0; i < 2000; i++) {
            assertThat(queue.offer(exchange("tenant-a", "a" + i))).isTrue();
        }
        queue.offer(exchange("tenant-b", "b0"));

        assertThat(queue.poll().getMessage().getBody()).isEqualTo("a0");
        assertThat(queue.poll().getMessage().getBody()).isEqualTo("b0");
        assertThat(queue.poll().getMessage().getBody()).isEqualTo("a1");
        assertThat(queue.waiting(TenantId.of("tenant-a"))).isEqualTo(1998);
        assertThat(queue.size()).isEqualTo(1998);
    }

    @Test
    void tenantsAlternateAndEachKeepsItsOrder() {
        FairIngestQueue queue = new FairIngestQueue(100);
        for (int i = 0; i < 3; i++) {
            queue.offer(exchange("tenant-a", "a" + i));
        }
        queue.offer(exchange("tenant-b", "b0"));
        queue.offer(exchange("tenant-c", "c0"));
        queue.offer(exchange("tenant-c", "c1"));
        List<Object> order = new ArrayList<>();
        List<Exchange> drained = new ArrayList<>();
        queue.drainTo(drained);
        drained.forEach(e -> order.add(e.getMessage().getBody()));
        assertThat(order).containsExactly("a0", "b0", "c0", "a1", "c1", "a2");
        assertThat(queue.poll()).isNull();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void capacityIsBoundedAndBlockingCallsTimeOut() throws InterruptedException {
        FairIngestQueue queue = new FairIngestQueue(2);
        assertThat(queue.offer(exchange("tenant-a", "1"))).isTrue();
        assertThat(queue.offer(exchange("tenant-b", "2"))).isTrue();
        assertThat(queue.offer(exchange("tenant-a", "3"))).isFalse();
        assertThat(queue.offer(exchange("tenant-a", "3"), 10, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(queue.remainingCapacity()).isZero();
        assertThat(queue.take().getMessage().getBody()).isEqualTo("1");
        assertThat(queue.remainingCapacity()).isEqualTo(1);
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS).getMessage().getBody()).isEqualTo("2");
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void removingAQueuedExchangeKeepsTheRotationConsistent() {
        FairIngestQueue queue = new FairIngestQueue(10);
        Exchange b = exchange("tenant-b", "b0");
        queue.offer(exchange("tenant-a", "a0"));
        queue.offer(b);
        queue.offer(exchange("tenant-a", "a1"));
        assertThat(queue.remove(b)).isTrue();
        assertThat(queue.remove(b)).isFalse();
        assertThat(queue.poll().getMessage().getBody()).isEqualTo("a0");
        assertThat(queue.poll().getMessage().getBody()).isEqualTo("a1");
        assertThat(queue.peek()).isNull();
    }

    @Test
    void exchangesWithoutATenantAreStillServedSoTheGuardCanRefuseThem() {
        FairIngestQueue queue = new FairIngestQueue(10);
        queue.offer(new DefaultExchange(camel));
        assertThat(queue.poll()).isNotNull();
    }

    private Exchange exchange(String tenant, String body) {
        Exchange exchange = new DefaultExchange(camel);
        TenantHeader.set(exchange, TenantId.of(tenant));
        exchange.getMessage().setBody(body);
        return exchange;
    }
}
