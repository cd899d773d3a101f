package io.caravan.sources.messenger;

import io.caravan.ingest.IntakeResult;
import io.caravan.ingest.NewDocument;
import io.caravan.ingest.Quarantine;
import io.caravan.observability.TenantMetrics;
import io.caravan.sources.SourceItemIntake;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantTransactions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The durable record of Messenger message ids (mid) already ingested, per tenant, shared by the webhook route
 * and the backfill Kamelet. A mid is recorded only after the intake has recorded its document, so a failure in
 * between makes the sender's retry ingest it again instead of losing it; the intake's content hash keeps such a
 * retry from making a second document.
 */
@Component("messengerMessages")
public class MessengerMessages {

    /** The route variable holding the message while its document is being ingested. */
    public static final String MESSAGE_VARIABLE = "messengerMessage";
    static final String SOURCE_TYPE = MessengerSources.TYPE;
    private static final Logger LOG = LoggerFactory.getLogger(MessengerMessages.class);
    private static final int MAX_MID = 512;

    private final JdbcClient jdbc;
    private final TenantTransactions transactions;
    private final TenantMetrics metrics;
    private final Quarantine quarantine;
    private final Clock clock;

    MessengerMessages(JdbcClient jdbc, TenantTransactions transactions, TenantMetrics metrics, Quarantine quarantine,
                      Clock clock) {
        this.quarantine = quarantine;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.metrics = metrics;
        this.clock = clock;
    }

    static boolean isValidMid(String mid) {
        return mid != null && !mid.isBlank() && mid.length() <= MAX_MID;
    }

    public boolean seen(TenantId tenant, String mid) {
        return transactions.call(tenant, () -> jdbc.sql(
                        "SELECT COUNT(*) FROM messenger_messages WHERE tenant_id = :tenant AND mid = :mid")
                .param("tenant", tenant.value()).param("mid", mid)
                .query(Integer.class).single()) > 0;
    }

    /** Route filter: true for a message (the body) this tenant has not ingested yet. */
    public boolean isNew(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        MessengerMessage message = exchange.getMessage().getMandatoryBody(MessengerMessage.class);
        boolean fresh = !seen(tenant, message.mid());
        if (!fresh) {
            LOG.info("Messenger message {} was already ingested; skipped", message.mid());
            metrics.messengerMessage(tenant, "duplicate");
        }
        return fresh;
    }

    /** Route step: the message (the body) as a document for the intake. */
    public NewDocument toDocument(MessengerMessage message) {
        return new NewDocument(message.title(), message.text().getBytes(StandardCharsets.UTF_8), "text/plain",
                SOURCE_TYPE, message.sourceUri(), null);
    }

    /** Route step after the intake: records the message's mid with the document it became (the body). */
    public void recorded(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        MessengerMessage message = exchange.getVariable(MESSAGE_VARIABLE, MessengerMessage.class);
        IntakeResult intake = exchange.getMessage().getBody(IntakeResult.class);
        record(tenant, message, intake == null ? null : intake.documentId());
    }

    /**
     * Route step when the intake refused the message itself (too large for the tenant, no text): quarantined with
     * its reason, as the backfill quarantines it, and the other messages of the delivery go through. Its mid is not
     * recorded, as for the backfill: offered again (a later backfill, once the tenant's limit allows it), it is
     * ingested; refused again, its quarantine entry counts one more attempt.
     */
    public void rejected(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        MessengerMessage message = exchange.getVariable(MESSAGE_VARIABLE, MessengerMessage.class);
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = SourceItemIntake.reason(failure);
        String error = failure == null || failure.getMessage() == null ? reason : failure.getMessage();
        quarantine.addUnaccepted(tenant, message.title(), SOURCE_TYPE, message.sourceUri(), "text/plain", reason,
                error);
        LOG.warn("Messenger message {} was refused by the intake ({}); quarantined", message.mid(), error);
        metrics.messengerMessage(tenant, "rejected");
        metrics.ingestDocument(tenant, SOURCE_TYPE, "quarantined");
    }

    /** Records a mid; false when it was recorded already (a concurrent delivery of the same message). */
    public boolean record(TenantId tenant, MessengerMessage message, String documentId) {
        boolean recorded = insert(tenant, message, documentId);
        if (recorded) {
            metrics.messengerMessage(tenant, "ingested");
        }
        return recorded;
    }

    private boolean insert(TenantId tenant, MessengerMessage message, String documentId) {
        try {
            transactions.attempt(tenant, () -> jdbc.sql("""
                    INSERT INTO messenger_messages (tenant_id, mid, source_id, document_id, recorded_at)
                    VALUES (:tenant, :mid, :source, :document, :now)""")
                    .param("tenant", tenant.value()).param("mid", message.mid())
                    .param("source", message.sourceId()).param("document", documentId)
                    .param("now", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC))
                    .update());
            return true;
        } catch (DuplicateKeyException raced) {
            return false;
        }
    }

    /** Tenant erasure. */
    public int deleteAll(TenantId tenant) {
        return transactions.call(tenant, () -> jdbc.sql("DELETE FROM messenger_messages WHERE tenant_id = :tenant")
                .param("tenant", tenant.value()).update());
    }
}
