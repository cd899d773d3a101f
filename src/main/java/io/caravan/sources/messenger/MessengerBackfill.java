package io.caravan.sources.messenger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.sources.SourceItemHeaders;
import io.caravan.sources.SourceStatuses;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code messenger-source} Kamelet: pages through the Graph API's conversations of a page
 * ({@code GET /{pageId}/conversations?fields=messages{message,from,created_time,id}}), following
 * {@code paging.next} up to a page limit, and turns each message into a source item. Graph API failures (error
 * objects, 401, 429, 5xx, bad JSON, timeouts) end the run with one log line; the source stays up and its next run
 * starts afresh. Tokens never reach a log line. Each run reports to {@link SourceStatuses}: a run the Graph API
 * refused or that failed makes the source {@code failing} with the error, a run that went through makes it
 * {@code running} again.
 */
@Component("messengerBackfill")
public class MessengerBackfill {

    /** Exchange variables the Kamelet sets from its properties. */
    public static final String PAGE_ID = "messengerPageId";
    public static final String SOURCE_ID = "messengerSourceId";
    public static final String TOKEN = "messengerPageAccessToken";
    public static final String APP_SECRET = "messengerAppSecret";
    public static final String GRAPH_URL = "messengerGraphUrl";
    public static final String MAX_PAGES = "messengerMaxPages";
    public static final String PAGE_SIZE = "messengerPageSize";
    static final String NEXT = "messengerNext";
    static final String PAGES = "messengerPages";
    /** Exchange variable: why the run ended early, null while it goes well. */
    static final String RUN_ERROR = "messengerRunError";

    // the source item contract read by direct:ingest-source-item (SourceItemHeaders), plus the item's own id
    static final String ITEM_TITLE = SourceItemHeaders.TITLE;
    static final String ITEM_URI = SourceItemHeaders.URI;
    static final String ITEM_TYPE = SourceItemHeaders.CONTENT_TYPE;
    static final String ITEM_ID = "CaravanItemId";
    static final String SOURCE_TYPE = SourceItemHeaders.SOURCE_TYPE;
    static final String SOURCE_ID_HEADER = SourceItemHeaders.SOURCE_ID;

    private static final Logger LOG = LoggerFactory.getLogger(MessengerBackfill.class);
    private static final String FIELDS = "messages{message,from,created_time,id}";
    /** Graph API timestamps look like 2024-01-31T10:15:30+0000. */
    private static final DateTimeFormatter GRAPH_TIME = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME).optionalStart().appendOffset("+HHMM", "+0000")
            .optionalEnd().optionalStart().appendOffsetId().optionalEnd().toFormatter();

    private final ObjectMapper json;
    private final SourceStatuses statuses;

    MessengerBackfill(ObjectMapper json, SourceStatuses statuses) {
        this.json = json;
        this.statuses = statuses;
    }

    /** Kamelet step: the first request of a run. */
    public void start(Exchange exchange) {
        String graphUrl = trimSlash(required(exchange, GRAPH_URL));
        String pageId = required(exchange, PAGE_ID);
        StringBuilder query = new StringBuilder("fields=").append(encode(FIELDS))
                .append("&limit=").append(intVariable(exchange, PAGE_SIZE, 25))
                .append("&access_token=").append(encode(required(exchange, TOKEN)));
        String appSecret = exchange.getVariable(APP_SECRET, String.class);
        if (appSecret != null && !appSecret.isBlank()) {
            // appsecret_proof: Graph API calls made with a leaked token alone are refused
            query.append("&appsecret_proof=").append(java.util.HexFormat.of().formatHex(
                    MessengerWebhookVerifier.hmac(appSecret, required(exchange, TOKEN)
                            .getBytes(StandardCharsets.UTF_8))));
        }
        exchange.setVariable(NEXT, new GraphRequest(graphUrl + "/" + encode(pageId) + "/conversations",
                query.toString()));
        exchange.setVariable(PAGES, 0);
        exchange.setVariable(RUN_ERROR, null);
        LOG.info("Messenger backfill of page {} started", pageId);
    }

    /** Kamelet step: the HTTP request for the next page, as headers of the fixed Graph API endpoint. */
    public void prepare(Exchange exchange) {
        GraphRequest next = Objects.requireNonNull(exchange.getVariable(NEXT, GraphRequest.class), "no next page");
        exchange.setVariable(PAGES, intVariable(exchange, PAGES, 0) + 1);
        exchange.getMessage().setBody(null);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
        exchange.getMessage().setHeader(Exchange.HTTP_URI, next.url());
        exchange.getMessage().setHeader(Exchange.HTTP_QUERY, next.query());
        exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_CODE);
    }

    /** Kamelet step after the call: the page's messages (the body) and the request for the page after it. */
    public List<MessengerMessage> page(Exchange exchange) {
        exchange.setVariable(NEXT, null);
        clearHttpHeaders(exchange);
        String pageId = required(exchange, PAGE_ID);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (status == null || status != 200) {
            // the error message is the server's text: never let it echo a credential into a log or the API
            String error = redact(exchange, "the Graph API answered HTTP " + status + describeError(root));
            exchange.setVariable(RUN_ERROR, error);
            LOG.warn("Messenger backfill of page {} stopped: {}", pageId, error);
            return List.of();
        }
        if (root == null || !root.path("data").isArray()) {
            String error = "the Graph API answer is not the conversations JSON";
            exchange.setVariable(RUN_ERROR, error);
            LOG.warn("Messenger backfill of page {} stopped: {}", pageId, error);
            return List.of();
        }
        List<MessengerMessage> messages = new ArrayList<>();
        String sourceId = required(exchange, SOURCE_ID);
        for (JsonNode conversation : root.path("data")) {
            for (JsonNode message : conversation.path("messages").path("data")) {
                MessengerMessage read = message(sourceId, pageId, message);
                if (read != null) {
                    messages.add(read);
                }
            }
        }
        exchange.setVariable(NEXT, nextPage(exchange, root.path("paging").path("next").asText(null)));
        LOG.info("Messenger backfill of page {}: {} message(s) on result page {}", pageId, messages.size(),
                intVariable(exchange, PAGES, 0));
        return messages;
    }

    /** Kamelet step when the call itself failed (timeout, connection refused): ends the run. */
    public List<MessengerMessage> failed(Exchange exchange) {
        exchange.setVariable(NEXT, null);
        clearHttpHeaders(exchange);
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        // the class only: an HTTP client message may quote the request URI, which carries the token
        String described = "the Graph API call failed (" + (error == null ? "unknown error"
                : error.getClass().getSimpleName()) + ")";
        exchange.setVariable(RUN_ERROR, described);
        LOG.warn("Messenger backfill of page {} stopped: {}", exchange.getVariable(PAGE_ID, String.class), described);
        return List.of();
    }

    /** Kamelet step after the last result page: reports the run to the source's status. */
    public void finish(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        String sourceId = required(exchange, SOURCE_ID);
        String error = exchange.getVariable(RUN_ERROR, String.class);
        if (error == null) {
            statuses.runSucceeded(tenant, sourceId);
        } else {
            statuses.runFailed(tenant, sourceId, "backfill failed: " + error);
        }
    }

    /** Kamelet step: a message (the body) as a source item: its text, with the item headers. */
    public void toItem(Exchange exchange) throws InvalidPayloadException {
        MessengerMessage message = exchange.getMessage().getMandatoryBody(MessengerMessage.class);
        exchange.setVariable(MessengerMessages.MESSAGE_VARIABLE, message);
        exchange.getMessage().setHeader(ITEM_TITLE, message.title());
        exchange.getMessage().setHeader(ITEM_URI, message.sourceUri());
        exchange.getMessage().setHeader(ITEM_TYPE, "text/plain");
        exchange.getMessage().setHeader(ITEM_ID, message.mid());
        exchange.getMessage().setHeader(SOURCE_TYPE, MessengerSources.TYPE);
        exchange.getMessage().setHeader(SOURCE_ID_HEADER, message.sourceId());
        exchange.getMessage().setBody(message.text());
    }

    /** Kamelet step when an item could not be handed on: logged, the mid stays unrecorded for the next run. */
    public void itemFailed(Exchange exchange) {
        TenantId tenant = TenantHeader.require(exchange);
        MessengerMessage message = exchange.getVariable(MessengerMessages.MESSAGE_VARIABLE, MessengerMessage.class);
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("Messenger message {} of tenant {} was not ingested ({}); a later run retries it",
                message == null ? "?" : message.mid(), tenant,
                error == null ? "unknown error" : error.getClass().getSimpleName());
    }

    private GraphRequest nextPage(Exchange exchange, String next) {
        if (next == null || next.isBlank()) {
            return null;
        }
        int max = intVariable(exchange, MAX_PAGES, 10);
        if (intVariable(exchange, PAGES, 0) >= max) {
            LOG.info("Messenger backfill of page {} stops at its limit of {} result pages",
                    exchange.getVariable(PAGE_ID, String.class), max);
            return null;
        }
        if (!sameOrigin(next, required(exchange, GRAPH_URL))) {
            // the next link carries the page token: never follow it to another host
            LOG.warn("Messenger backfill of page {} stopped: paging.next points outside the Graph API URL",
                    exchange.getVariable(PAGE_ID, String.class));
            return null;
        }
        return GraphRequest.of(next);
    }

    private static MessengerMessage message(String sourceId, String pageId, JsonNode message) {
        String mid = message.path("id").asText("");
        String text = message.path("message").asText("").strip();
        String fromId = message.path("from").path("id").asText("");
        if (!MessengerMessages.isValidMid(mid) || text.isEmpty() || fromId.isEmpty() || fromId.equals(pageId)) {
            return null; // the page's own replies are skipped, like webhook echoes; so are messages without text
        }
        return new MessengerMessage(sourceId, pageId, fromId, message.path("from").path("name").asText(null), mid,
                text, time(message.path("created_time").asText("")));
    }

    static Instant time(String graphTime) {
        try {
            return OffsetDateTime.parse(graphTime, GRAPH_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static String describeError(JsonNode root) {
        JsonNode error = root == null ? null : root.path("error");
        if (error == null || !error.isObject()) {
            return "";
        }
        String message = error.path("message").asText("");
        if (message.length() > 200) {
            message = message.substring(0, 200);
        }
        return " (" + error.path("type").asText("error") + " code " + error.path("code").asText("?") + ": "
                + message + ")";
    }

    static boolean sameOrigin(String url, String base) {
        try {
            URI a = URI.create(url);
            URI b = URI.create(base);
            return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                    && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String redact(Exchange exchange, String text) {
        String redacted = text;
        for (String variable : List.of(TOKEN, APP_SECRET)) {
            String value = exchange.getVariable(variable, String.class);
            if (value != null && value.length() >= 6) {
                redacted = redacted.replace(value, "xxxxxx");
            }
        }
        return redacted;
    }

    private static void clearHttpHeaders(Exchange exchange) {
        exchange.getMessage().removeHeader(Exchange.HTTP_URI);
        exchange.getMessage().removeHeader(Exchange.HTTP_QUERY);
        exchange.getMessage().removeHeader(Exchange.HTTP_METHOD);
    }

    private static String required(Exchange exchange, String variable) {
        String value = exchange.getVariable(variable, String.class);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("the messenger-source Kamelet did not set " + variable);
        }
        return value;
    }

    private static int intVariable(Exchange exchange, String variable, int fallback) {
        Integer value = exchange.getVariable(variable, Integer.class);
        return value == null ? fallback : value;
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
