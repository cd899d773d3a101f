package io.caravan.sources.gmail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Gmail API speaking the real REST JSON (users/me/labels, messages list/get/modify, attachments get)
 * plus the OAuth token endpoint the Google client calls to turn a refresh token into an access token. Each
 * refresh token opens its own mailbox, so two tenants' credentials reach two different mailboxes.
 */
final class GmailEmulator implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/gmail/v1/users/me/";

    /** One account: OAuth client, refresh token, and its messages. */
    static final class Mailbox {
        final String clientId;
        final String clientSecret;
        final String refreshToken;
        final Map<String, Map<String, Object>> messages = new ConcurrentHashMap<>();
        final Map<String, byte[]> attachments = new ConcurrentHashMap<>();
        final Set<String> failingGets = ConcurrentHashMap.newKeySet();
        /** While true, messages.list answers 500 (the Gmail backend failing). */
        volatile boolean failingList;
        final Map<String, AtomicInteger> failingModifies = new ConcurrentHashMap<>();
        /** Message ids whose UNREAD label was removed by messages/modify. */
        final Set<String> markedRead = ConcurrentHashMap.newKeySet();
        final AtomicInteger gets = new AtomicInteger();

        Mailbox(String clientId, String clientSecret, String refreshToken) {
            this.clientId = clientId;
            this.clientSecret = clientSecret;
            this.refreshToken = refreshToken;
        }

        /** Adds an unread message whose payload is the given MIME part. */
        Mailbox add(String id, String subject, Map<String, Object> payload) {
            Map<String, Object> top = new LinkedHashMap<>(payload);
            List<Map<String, String>> headers = new ArrayList<>(headersOf(payload));
            headers.add(Map.of("name", "Subject", "value", subject));
            headers.add(Map.of("name", "From", "value", "customer@example.com"));
            top.put("headers", headers);
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", id);
            message.put("threadId", "t-" + id);
            message.put("labelIds", Collections.synchronizedList(new ArrayList<>(List.of("INBOX", "UNREAD"))));
            message.put("snippet", subject);
            message.put("payload", top);
            messages.put(id, message);
            return this;
        }

        /** An attachment kept on the server: the message carries only its attachmentId. */
        Map<String, Object> storedAttachment(String attachmentId, String fileName, String mimeType, byte[] data) {
            attachments.put(attachmentId, data);
            return part(mimeType, fileName, List.of(Map.of("name", "Content-Disposition",
                    "value", "attachment; filename=\"" + fileName + "\"")),
                    Map.of("attachmentId", attachmentId, "size", data.length), null);
        }

        boolean unread(String id) {
            @SuppressWarnings("unchecked")
            List<String> labels = (List<String>) messages.get(id).get("labelIds");
            return labels.contains("UNREAD");
        }
    }

    private final HttpServer server;
    private final Map<String, Mailbox> byRefreshToken = new ConcurrentHashMap<>();
    private final Map<String, Mailbox> byAccessToken = new ConcurrentHashMap<>();
    private final AtomicInteger tokens = new AtomicInteger();
    /** Every request as "METHOD path", for assertions. */
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    GmailEmulator() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    String rootUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    String tokenUrl() {
        return rootUrl() + "token";
    }

    Mailbox mailbox(String clientId, String clientSecret, String refreshToken) {
        Mailbox mailbox = new Mailbox(clientId, clientSecret, refreshToken);
        byRefreshToken.put(refreshToken, mailbox);
        return mailbox;
    }

    // ---- MIME parts as Gmail's API returns them (format=full) ----

    static Map<String, Object> text(String mimeType, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        return part(mimeType, "", List.of(Map.of("name", "Content-Type", "value", mimeType + "; charset=UTF-8")),
                Map.of("size", data.length, "data", Base64.getUrlEncoder().encodeToString(data)), null);
    }

    /** A part whose body data is not base64url at all. */
    static Map<String, Object> corrupt(String mimeType) {
        return part(mimeType, "", List.of(), Map.of("size", 12, "data", "%%not*base64%%"), null);
    }

    static Map<String, Object> inlineAttachment(String fileName, String mimeType, byte[] data) {
        return part(mimeType, fileName, List.of(Map.of("name", "Content-Disposition",
                        "value", "attachment; filename=\"" + fileName + "\"")),
                Map.of("size", data.length, "data", Base64.getUrlEncoder().encodeToString(data)), null);
    }

    @SafeVarargs
    static Map<String, Object> multipart(String mimeType, Map<String, Object>... parts) {
        return part(mimeType, "", List.of(Map.of("name", "Content-Type", "value", mimeType + "; boundary=b")),
                Map.of("size", 0), List.of(parts));
    }

    private static Map<String, Object> part(String mimeType, String fileName, List<Map<String, String>> headers,
                                            Map<String, Object> body, List<Map<String, Object>> parts) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("partId", "");
        part.put("mimeType", mimeType);
        part.put("filename", fileName);
        part.put("headers", headers);
        part.put("body", body);
        if (parts != null) {
            part.put("parts", parts);
        }
        return part;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, String>> headersOf(Map<String, Object> part) {
        Object headers = part.get("headers");
        return headers == null ? List.of() : (List<Map<String, String>>) headers;
    }

    // ---- HTTP ----

    private void handle(HttpExchange http) throws IOException {
        String path = http.getRequestURI().getPath();
        String method = http.getRequestMethod();
        requests.add(method + " " + path);
        try {
            if (path.equals("/token") && method.equals("POST")) {
                token(http);
                return;
            }
            Mailbox mailbox = authorised(http);
            if (mailbox == null) {
                send(http, 401, Map.of("error", Map.of("code", 401, "message", "Invalid Credentials",
                        "status", "UNAUTHENTICATED")));
                return;
            }
            if (!path.startsWith(API)) {
                send(http, 404, error(404, "Not Found"));
                return;
            }
            api(http, mailbox, method, List.of(path.substring(API.length()).split("/")));
        } catch (RuntimeException e) {
            send(http, 500, error(500, e.toString()));
        }
    }

    private void token(HttpExchange http) throws IOException {
        Map<String, String> form = form(new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Mailbox mailbox = byRefreshToken.get(form.getOrDefault("refresh_token", ""));
        if (!"refresh_token".equals(form.get("grant_type")) || mailbox == null
                || !mailbox.clientId.equals(form.get("client_id"))
                || !mailbox.clientSecret.equals(form.get("client_secret"))) {
            send(http, 400, Map.of("error", "invalid_grant", "error_description", "Bad Request"));
            return;
        }
        String accessToken = "ya29.emulated-" + tokens.incrementAndGet();
        byAccessToken.put(accessToken, mailbox);
        send(http, 200, Map.of("access_token", accessToken, "expires_in", 3599, "token_type", "Bearer",
                "scope", "https://www.googleapis.com/auth/gmail.modify"));
    }

    private Mailbox authorised(HttpExchange http) {
        String authorization = http.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        return byAccessToken.get(authorization.substring("Bearer ".length()));
    }

    private void api(HttpExchange http, Mailbox mailbox, String method, List<String> path) throws IOException {
        Map<String, String> query = form(http.getRequestURI().getRawQuery());
        if (path.get(0).equals("labels")) {
            List<Map<String, Object>> labels = List.of(label("INBOX"), label("UNREAD"));
            if (path.size() == 1) {
                send(http, 200, Map.of("labels", labels));
            } else {
                labels.stream().filter(l -> l.get("id").equals(path.get(1))).findFirst().ifPresentOrElse(
                        l -> send(http, 200, l), () -> send(http, 404, error(404, "Requested entity was not found.")));
            }
            return;
        }
        if (!path.get(0).equals("messages")) {
            send(http, 404, error(404, "Not Found"));
            return;
        }
        if (path.size() == 1 && method.equals("GET")) {
            if (mailbox.failingList) {
                send(http, 500, error(500, "Backend Error"));
                return;
            }
            boolean unreadOnly = query.getOrDefault("q", "").contains("is:unread");
            int max = Integer.parseInt(query.getOrDefault("maxResults", "100"));
            List<Map<String, Object>> listed = new ArrayList<>();
            new java.util.TreeMap<>(mailbox.messages).forEach((id, message) -> {
                if ((!unreadOnly || mailbox.unread(id)) && listed.size() < max) {
                    listed.add(Map.of("id", id, "threadId", message.get("threadId")));
                }
            });
            Map<String, Object> answer = new LinkedHashMap<>();
            if (!listed.isEmpty()) {
                answer.put("messages", listed);
            }
            answer.put("resultSizeEstimate", listed.size());
            send(http, 200, answer);
            return;
        }
        String id = path.get(1);
        Map<String, Object> message = mailbox.messages.get(id);
        if (message == null) {
            send(http, 404, error(404, "Requested entity was not found."));
            return;
        }
        if (path.size() == 2 && method.equals("GET")) {
            mailbox.gets.incrementAndGet();
            if (mailbox.failingGets.contains(id)) {
                send(http, 500, error(500, "Backend Error"));
            } else {
                send(http, 200, message);
            }
            return;
        }
        if (path.size() == 3 && path.get(2).equals("modify") && method.equals("POST")) {
            AtomicInteger failures = mailbox.failingModifies.get(id);
            if (failures != null && failures.getAndDecrement() > 0) {
                send(http, 503, error(503, "The service is currently unavailable."));
                return;
            }
            // the Google client gzips request bodies
            boolean gzip = "gzip".equalsIgnoreCase(http.getRequestHeaders().getFirst("Content-Encoding"));
            JsonNode request = JSON.readTree(gzip ? new java.util.zip.GZIPInputStream(http.getRequestBody())
                    : http.getRequestBody());
            @SuppressWarnings("unchecked")
            List<String> labels = (List<String>) message.get("labelIds");
            request.path("removeLabelIds").forEach(label -> {
                labels.remove(label.asText());
                if (label.asText().equals("UNREAD")) {
                    mailbox.markedRead.add(id);
                }
            });
            request.path("addLabelIds").forEach(label -> labels.add(label.asText()));
            send(http, 200, Map.of("id", id, "threadId", message.get("threadId"), "labelIds", labels));
            return;
        }
        if (path.size() == 4 && path.get(2).equals("attachments") && method.equals("GET")) {
            byte[] data = mailbox.attachments.get(path.get(3));
            if (data == null) {
                send(http, 404, error(404, "Requested entity was not found."));
            } else {
                send(http, 200, Map.of("size", data.length, "data", Base64.getUrlEncoder().encodeToString(data)));
            }
            return;
        }
        send(http, 404, error(404, "Not Found"));
    }

    private static Map<String, Object> label(String id) {
        return Map.of("id", id, "name", id, "type", "system");
    }

    private static Map<String, Object> error(int code, String message) {
        return Map.of("error", Map.of("code", code, "message", message,
                "errors", List.of(Map.of("message", message, "domain", "global", "reason", "backendError"))));
    }

    private static Map<String, String> form(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return values;
    }

    private static void send(HttpExchange http, int status, Object body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            http.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            http.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = http.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    static Set<String> ids(String... ids) {
        return new LinkedHashSet<>(List.of(ids));
    }
}
