package io.caravan.sources.messenger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reads a verified webhook body (several {@code entry} elements, each with several {@code messaging} events) into
 * the messages it carries. Echoes of the page's own messages, delivery and read receipts, and entries of pages
 * the verified sources do not own are ignored.
 */
@Component("messengerWebhook")
public class MessengerWebhookPayloads {

    private static final Logger LOG = LoggerFactory.getLogger(MessengerWebhookPayloads.class);

    private final ObjectMapper json;
    private final MessengerSources sources;

    MessengerWebhookPayloads(ObjectMapper json, MessengerSources sources) {
        this.json = json;
        this.sources = sources;
    }

    /** Route step: the body, a {@link VerifiedWebhook}, becomes the list of its messages. */
    public List<MessengerMessage> messages(Exchange exchange) throws InvalidPayloadException {
        TenantId tenant = TenantHeader.require(exchange);
        VerifiedWebhook webhook = exchange.getMessage().getMandatoryBody(VerifiedWebhook.class);
        Map<String, String> sourceByPage = new HashMap<>();
        for (TenantConfig.Source source : sources.of(tenant)) {
            if (webhook.sourceIds().contains(source.id()) && source.pageId() != null) {
                sourceByPage.put(source.pageId(), source.id());
            }
        }
        List<MessengerMessage> messages = parse(webhook.payload(), sourceByPage);
        LOG.info("Messenger webhook carries {} message(s)", messages.size());
        return messages;
    }

    List<MessengerMessage> parse(byte[] payload, Map<String, String> sourceByPage) {
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidWebhookPayloadException("the webhook body is not valid JSON");
        } catch (IOException e) {
            throw new InvalidWebhookPayloadException("the webhook body cannot be read");
        }
        if (root == null || !root.isObject() || !root.path("entry").isArray()) {
            throw new InvalidWebhookPayloadException("a Messenger webhook is a JSON object with an 'entry' array");
        }
        if (!"page".equals(root.path("object").asText())) {
            LOG.info("Ignored a webhook for object '{}' (only 'page' events are Messenger messages)",
                    root.path("object").asText());
            return List.of();
        }
        List<MessengerMessage> messages = new ArrayList<>();
        int ignored = 0;
        for (JsonNode entry : root.path("entry")) {
            String pageId = entry.path("id").asText("");
            String sourceId = sourceByPage.get(pageId);
            JsonNode events = entry.path("messaging");
            if (sourceId == null) {
                // only pages of the sources whose app secret signed this body may feed the tenant
                LOG.warn("Ignored a webhook entry for page {}: no verified messenger source of this tenant has it",
                        pageId);
                ignored += events.size();
                continue;
            }
            for (JsonNode event : events) {
                MessengerMessage message = message(sourceId, pageId, event);
                if (message == null) {
                    ignored++;
                } else {
                    messages.add(message);
                }
            }
        }
        if (ignored > 0) {
            LOG.info("Ignored {} webhook event(s): echoes, delivery or read receipts, or messages without content",
                    ignored);
        }
        return messages;
    }

    /** The message of one {@code messaging} event, or null when the event is not an incoming message. */
    private static MessengerMessage message(String sourceId, String pageId, JsonNode event) {
        JsonNode message = event.path("message");
        if (!message.isObject() || message.path("is_echo").asBoolean(false)) {
            return null; // delivery, read, postback, reaction, or the page's own echo
        }
        String mid = message.path("mid").asText("");
        String senderId = event.path("sender").path("id").asText("");
        if (!MessengerMessages.isValidMid(mid) || senderId.isEmpty()) {
            return null;
        }
        String text = MessageText.of(message.path("text").asText(""), message.path("attachments"));
        if (text.isBlank()) {
            return null;
        }
        long timestamp = event.path("timestamp").asLong(0);
        Instant sentAt = timestamp > 0 ? Instant.ofEpochMilli(timestamp) : Instant.EPOCH;
        return new MessengerMessage(sourceId, pageId, senderId, null, mid, text, sentAt);
    }
}
