package io.caravan.sources.gmail;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.ModifyMessageRequest;
import io.caravan.ingest.DocumentOutcomes;
import io.caravan.ingest.DocumentStatus;
import io.caravan.ingest.IntakeResult;
import io.caravan.ingest.Quarantine;
import io.caravan.ingest.RejectedDocumentException;
import io.caravan.sources.SourceStatuses;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The work of the {@code gmail-source} Kamelet: {@link #poll} lists the unread messages matching the query and
 * turns each into documents; the Kamelet offers them one by one to its sink and reports each answer through
 * {@link #offered} or {@link #refused}; {@link #settle} waits until every document of a message is indexed,
 * duplicate or quarantined and only then marks the message read. Anything else leaves it unread for the next
 * poll, where intake recognises the documents already taken as duplicates.
 *
 * <p>A poll that cannot list the mailbox (credentials refused by the token endpoint, the Gmail API failing) marks
 * the source {@code failing} with the error in {@link SourceStatuses}; the next poll that lists it makes it
 * {@code running} again. A message that cannot be read is quarantined like any source item that failed before a
 * document existed ({@link Quarantine#addUnaccepted}, stage {@code fetch}); once the message goes through and is
 * marked read, that entry and its quarantined document are discarded.
 */
@Component("gmailMailbox")
public class GmailMailbox {

    private static final Logger LOG = LoggerFactory.getLogger(GmailMailbox.class);
    static final String SOURCE_TYPE = "gmail";
    private static final String FETCH_FAILED = "fetch_failed";
    /** Exchange properties set by the Kamelet from its parameters; the credentials are removed once read. */
    static final String CLIENT_ID = "CaravanGmailClientId";
    static final String CLIENT_SECRET = "CaravanGmailClientSecret";
    static final String REFRESH_TOKEN = "CaravanGmailRefreshToken";
    static final String QUERY = "CaravanGmailQuery";
    static final String MAX_MESSAGES = "CaravanGmailMaxMessages";
    static final String SOURCE_ID = "CaravanGmailSourceId";
    /** Exchange property: the poll in progress; and, on each item exchange, the item being offered. */
    static final String POLL = "CaravanGmailPoll";
    static final String ITEM = "CaravanGmailItem";

    /** The answer for one offered document: settled means nothing more will happen to it. */
    record Offer(String uri, String documentId, DocumentStatus status, boolean failed) {
    }

    /** One message of a poll: how many documents it has, what intake answered, whether it failed. */
    static final class MessageState {
        final String messageId;
        final boolean fetchFailed;
        final int expected;
        final List<Offer> offers = Collections.synchronizedList(new ArrayList<>());

        MessageState(String messageId, boolean fetchFailed, int expected) {
            this.messageId = messageId;
            this.fetchFailed = fetchFailed;
            this.expected = expected;
        }
    }

    /** One poll of one source instance; lives on the poll's exchange only. */
    record Poll(TenantId tenant, String sourceId, Gmail gmail, Map<String, MessageState> messages) {
    }

    private record ClientKey(TenantId tenant, String sourceId) {
    }

    private record CachedClient(GmailCredentials credentials, Gmail gmail) {
    }

    private final GmailClientFactory factory;
    private final Quarantine quarantine;
    private final DocumentOutcomes outcomes;
    private final SourceStatuses sourceStatuses;
    private final Duration settleTimeout;
    /** One client per tenant source, so access tokens are reused between polls and never shared by tenants. */
    private final Map<ClientKey, CachedClient> clients = new ConcurrentHashMap<>();

    public GmailMailbox(GmailClientFactory factory, Quarantine quarantine, DocumentOutcomes outcomes,
                        SourceStatuses sourceStatuses,
                        @Value("${caravan.gmail.settle-timeout:PT2M}") Duration settleTimeout) {
        this.factory = factory;
        this.quarantine = quarantine;
        this.outcomes = outcomes;
        this.sourceStatuses = sourceStatuses;
        this.settleTimeout = settleTimeout;
    }

    /** Lists unread messages and returns their documents; a message that cannot be read is quarantined. */
    public List<GmailItem> poll(Exchange exchange) throws IOException {
        TenantId tenant = TenantHeader.require(exchange);
        String sourceId = exchange.getProperty(SOURCE_ID, String.class);
        String clientId = exchange.getProperty(CLIENT_ID, String.class);
        String clientSecret = exchange.getProperty(CLIENT_SECRET, String.class);
        String refreshToken = exchange.getProperty(REFRESH_TOKEN, String.class);
        String configured = exchange.getProperty(QUERY, String.class);
        String query = configured == null || configured.isBlank() ? "is:unread" : configured;
        long max = exchange.getProperty(MAX_MESSAGES, 25L, Long.class);
        // before anything can fail: neither error logs nor the items sent to the sink may carry the credentials
        exchange.removeProperties("CaravanGmail*");
        GmailCredentials credentials = new GmailCredentials(clientId, clientSecret, refreshToken);
        Gmail gmail;
        ListMessagesResponse listed;
        try {
            gmail = client(tenant, sourceId, credentials);
            listed = gmail.users().messages().list("me").setQ(query).setMaxResults(max).execute();
        } catch (IOException | RuntimeException e) {
            // the poll is over; the source is failing until a poll lists the mailbox again (the timer retries)
            String error = "mailbox not listed: " + describe(e);
            sourceStatuses.runFailed(tenant, sourceId, error);
            LOG.warn("Gmail source {} could not list its mailbox: {}", sourceId, error);
            return List.of();
        }
        sourceStatuses.runSucceeded(tenant, sourceId);
        Map<String, MessageState> states = new LinkedHashMap<>();
        List<GmailItem> items = new ArrayList<>();
        for (Message listedMessage : listed.getMessages() == null ? List.<Message>of() : listed.getMessages()) {
            String id = listedMessage.getId();
            try {
                Message message = gmail.users().messages().get("me", id).setFormat("full").execute();
                List<GmailItem> mailItems = MailContent.items(message, attachmentId ->
                        gmail.users().messages().attachments().get("me", id, attachmentId).execute().decodeData());
                states.put(id, new MessageState(id, false, mailItems.size()));
                items.addAll(mailItems);
            } catch (IOException | RuntimeException e) {
                states.put(id, new MessageState(id, true, 0));
                Quarantine.Item entry = quarantine.addUnaccepted(tenant, "Gmail message " + id, SOURCE_TYPE,
                        uri(id), null, FETCH_FAILED, describe(e));
                LOG.warn("Gmail message {} of source {} could not be read (attempt {}); it stays unread: {}", id,
                        sourceId, entry.attempts(), describe(e));
            }
        }
        exchange.setProperty(POLL, new Poll(tenant, sourceId, gmail, states));
        LOG.debug("Gmail source {} found {} message(s), {} document(s)", sourceId, states.size(), items.size());
        return items;
    }

    /** Intake's answer for the item just offered to the sink. */
    public void offered(Exchange exchange) {
        GmailItem item = exchange.getProperty(ITEM, GmailItem.class);
        Object body = exchange.getMessage().getBody();
        Offer offer = body instanceof IntakeResult result
                ? new Offer(item.uri(), result.documentId(), result.status(), false)
                : new Offer(item.uri(), null, null, true);
        if (offer.failed()) {
            LOG.warn("Gmail item {} got no intake answer ({}); its message stays unread", item.uri(),
                    body == null ? "null" : body.getClass().getSimpleName());
        }
        state(exchange, item).offers.add(offer);
    }

    /**
     * The sink failed for the item just offered. A document intake refuses for good (too large, empty,
     * unsupported) is quarantined and counts as handled; any other failure leaves the message unread.
     */
    public void refused(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        GmailItem item = exchange.getProperty(ITEM, GmailItem.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure instanceof RejectedDocumentException rejected) {
            quarantine.addUnaccepted(tenant, item.title(), SOURCE_TYPE, item.uri(), item.contentType(),
                    reason(rejected), describe(rejected));
            state(exchange, item).offers.add(new Offer(item.uri(), null, DocumentStatus.QUARANTINED, false));
            LOG.warn("Gmail item {} was refused and quarantined: {}", item.uri(), describe(rejected));
            return;
        }
        state(exchange, item).offers.add(new Offer(item.uri(), null, null, true));
        LOG.warn("Gmail item {} could not be offered; its message stays unread: {}", item.uri(),
                failure == null ? "unknown failure" : describe(failure));
    }

    /** Waits for every offered document of the poll, then marks read each message whose documents all settled. */
    public void settle(Exchange exchange) {
        Poll poll = exchange.getProperty(POLL, Poll.class);
        if (poll == null || poll.messages().isEmpty()) {
            return;
        }
        List<String> queued = new ArrayList<>();
        poll.messages().values().forEach(state -> {
            synchronized (state.offers) {
                state.offers.stream().filter(o -> o.status() == DocumentStatus.QUEUED)
                        .forEach(o -> queued.add(o.documentId()));
            }
        });
        Map<String, DocumentStatus> statuses = queued.isEmpty() ? Map.of()
                : outcomes.await(poll.tenant(), queued, settleTimeout);
        for (MessageState state : poll.messages().values()) {
            if (settled(state, statuses)) {
                markRead(poll, state.messageId);
            } else if (!state.fetchFailed) {
                LOG.info("Gmail message {} of source {} is not settled yet; it stays unread for the next poll",
                        state.messageId, poll.sourceId());
            }
        }
    }

    private static boolean settled(MessageState state, Map<String, DocumentStatus> statuses) {
        if (state.fetchFailed) {
            return false;
        }
        synchronized (state.offers) {
            if (state.offers.size() != state.expected) {
                return false;
            }
            return state.offers.stream().allMatch(offer -> !offer.failed() && (offer.status() != DocumentStatus.QUEUED
                    ? DocumentOutcomes.isFinal(offer.status()) : DocumentOutcomes.isFinal(statuses.get(offer.documentId()))));
        }
    }

    private void markRead(Poll poll, String messageId) {
        try {
            poll.gmail().users().messages().modify("me", messageId,
                    new ModifyMessageRequest().setRemoveLabelIds(List.of("UNREAD"))).execute();
            // an earlier poll could not read it: that entry (and its quarantined document) is resolved now
            quarantine.discardUnaccepted(poll.tenant(), uri(messageId), FETCH_FAILED);
            LOG.info("Gmail message {} of source {} is ingested and marked read", messageId, poll.sourceId());
        } catch (IOException | RuntimeException e) {
            // harmless: the next poll offers it again, intake answers duplicate, and it is marked read then
            LOG.warn("Gmail message {} could not be marked read: {}", messageId, describe(e));
        }
    }

    private Gmail client(TenantId tenant, String sourceId, GmailCredentials credentials) {
        ClientKey key = new ClientKey(tenant, sourceId);
        CachedClient cached = clients.compute(key, (k, existing) -> existing != null
                && existing.credentials().equals(credentials) ? existing
                : new CachedClient(credentials, factory.client(credentials)));
        return cached.gmail();
    }

    /** The URI of a message, also that of its body document. */
    private static String uri(String messageId) {
        return "gmail://" + messageId;
    }

    private static MessageState state(Exchange exchange, GmailItem item) {
        Poll poll = exchange.getProperty(POLL, Poll.class);
        if (poll == null || item == null || !poll.messages().containsKey(item.messageId())) {
            throw new IllegalStateException("a Gmail item exchange without its poll or item");
        }
        return poll.messages().get(item.messageId());
    }

    private static String reason(RejectedDocumentException rejected) {
        return switch (rejected.reason()) {
            case TOO_LARGE -> "too_large";
            case EMPTY -> "empty_content";
            case UNSUPPORTED_TYPE -> "unsupported_type";
            case INVALID -> "parse_error";
        };
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName()
                + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
