package io.caravan.sources.gmail;

import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.MessagePart;
import com.google.api.services.gmail.model.MessagePartBody;
import com.google.api.services.gmail.model.MessagePartHeader;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a Gmail message (format {@code full}) into documents: its body and each PDF or DOCX attachment. Walks
 * the whole MIME tree (the google-mail stream consumer reads only {@code parts[0]}): single-part, alternative
 * (text/plain preferred, else HTML), and nested mixed/related/alternative trees.
 */
final class MailContent {

    static final String PDF = "application/pdf";
    static final String DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /** Fetches an attachment's bytes when the message carries only its id. */
    @FunctionalInterface
    interface Attachments {
        byte[] fetch(String attachmentId) throws IOException;
    }

    private record Text(String text, boolean html) {
    }

    private MailContent() {
    }

    /** The message's documents; throws when a part cannot be decoded or fetched (the mail stays unread). */
    static List<GmailItem> items(Message message, Attachments attachments) throws IOException {
        MessagePart payload = message.getPayload();
        if (payload == null) {
            throw new IOException("message " + message.getId() + " has no payload");
        }
        String id = message.getId();
        String subject = header(payload, "Subject").filter(s -> !s.isBlank()).orElse("(no subject)");
        List<Text> texts = new ArrayList<>();
        List<GmailItem> files = new ArrayList<>();
        walk(payload, texts, files, id, subject, attachments);
        List<GmailItem> items = new ArrayList<>();
        body(texts).ifPresent(body -> items.add(new GmailItem(id, subject, "gmail://" + id,
                body.html() ? "text/html" : "text/plain", body.text().getBytes(StandardCharsets.UTF_8), null)));
        items.addAll(files);
        return items;
    }

    private static void walk(MessagePart part, List<Text> texts, List<GmailItem> files, String id, String subject,
                             Attachments attachments) throws IOException {
        String type = mimeType(part);
        List<MessagePart> children = part.getParts() == null ? List.of() : part.getParts();
        if (type.startsWith("multipart/alternative")) {
            Optional<MessagePart> best = best(children);
            if (best.isPresent()) {
                walk(best.get(), texts, files, id, subject, attachments);
            }
            return;
        }
        if (type.startsWith("multipart/") || !children.isEmpty()) {
            for (MessagePart child : children) {
                walk(child, texts, files, id, subject, attachments);
            }
            return;
        }
        boolean named = part.getFilename() != null && !part.getFilename().isBlank();
        if (named || isAttachment(part)) {
            attachment(part, files, id, subject, attachments);
        } else if (type.equals("text/plain") || type.equals("text/html")) {
            byte[] data = decode(part.getBody());
            if (data.length > 0) {
                texts.add(new Text(new String(data, charset(part)), type.equals("text/html")));
            }
        }
        // other leaf parts (images, calendar invites, ...) are not documents
    }

    /** In an alternative: plain text first, then HTML, then a nested multipart that may hold either. */
    private static Optional<MessagePart> best(List<MessagePart> children) {
        for (String wanted : List.of("text/plain", "text/html")) {
            for (MessagePart child : children) {
                if (mimeType(child).equals(wanted)) {
                    return Optional.of(child);
                }
            }
        }
        return children.stream().filter(c -> mimeType(c).startsWith("multipart/")).findFirst();
    }

    private static void attachment(MessagePart part, List<GmailItem> files, String id, String subject,
                                   Attachments attachments) throws IOException {
        String name = part.getFilename() == null || part.getFilename().isBlank() ? "attachment" : part.getFilename();
        String type = documentType(mimeType(part), name);
        if (type == null) {
            return; // only PDF and DOCX attachments are documents; the rest is ignored
        }
        MessagePartBody body = part.getBody();
        byte[] data = body != null && body.getData() == null && body.getAttachmentId() != null
                ? attachments.fetch(body.getAttachmentId()) : decode(body);
        if (data.length == 0) {
            throw new IOException("attachment '" + name + "' of message " + id + " is empty");
        }
        String named = "gmail://" + id + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        // another attachment of this message with the same name: one URI would make one a new version of the
        // other, and retire it
        String uri = files.stream().anyMatch(file -> file.uri().equals(named))
                ? named + "?part=" + (files.size() + 1) : named;
        files.add(new GmailItem(id, subject + " / " + name, uri, type, data, name));
    }

    private static Optional<Text> body(List<Text> texts) {
        if (texts.isEmpty()) {
            return Optional.empty();
        }
        if (texts.stream().noneMatch(Text::html)) {
            String joined = String.join("\n\n", texts.stream().map(Text::text).toList());
            return joined.isBlank() ? Optional.empty() : Optional.of(new Text(joined, false));
        }
        if (texts.size() == 1) {
            return Optional.of(texts.get(0));
        }
        // plain and HTML pieces side by side (mixed): one HTML document, the parser turns it into text
        StringBuilder html = new StringBuilder("<html><body>");
        for (Text text : texts) {
            html.append(text.html() ? text.text() : "<pre>" + escape(text.text()) + "</pre>");
        }
        return Optional.of(new Text(html.append("</body></html>").toString(), true));
    }

    private static boolean isAttachment(MessagePart part) {
        return header(part, "Content-Disposition").map(d -> d.toLowerCase(Locale.ROOT).startsWith("attachment"))
                .orElse(false) || (part.getBody() != null && part.getBody().getAttachmentId() != null
                && !mimeType(part).startsWith("text/"));
    }

    /** PDF or DOCX by declared type, or by file name when the sender said application/octet-stream. */
    static String documentType(String mimeType, String fileName) {
        if (PDF.equals(mimeType) || DOCX.equals(mimeType)) {
            return mimeType;
        }
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".pdf")) {
            return PDF;
        }
        return lower.endsWith(".docx") ? DOCX : null;
    }

    /** Gmail sends part data base64url-encoded (with or without padding); anything else is a corrupt body. */
    static byte[] decode(MessagePartBody body) throws IOException {
        if (body == null || body.getData() == null) {
            return new byte[0];
        }
        try {
            return Base64.getUrlDecoder().decode(body.getData().trim());
        } catch (IllegalArgumentException e) {
            throw new IOException("part body is not valid base64url: " + e.getMessage(), e);
        }
    }

    private static String mimeType(MessagePart part) {
        return part.getMimeType() == null ? "" : part.getMimeType().toLowerCase(Locale.ROOT).strip();
    }

    private static Charset charset(MessagePart part) {
        return header(part, "Content-Type").flatMap(MailContent::charsetParameter).orElse(StandardCharsets.UTF_8);
    }

    private static Optional<Charset> charsetParameter(String contentType) {
        for (String parameter : contentType.split(";")) {
            String[] pair = parameter.strip().split("=", 2);
            if (pair.length == 2 && pair[0].equalsIgnoreCase("charset")) {
                try {
                    return Optional.of(Charset.forName(pair[1].replace("\"", "").strip()));
                } catch (IllegalArgumentException unknown) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> header(MessagePart part, String name) {
        if (part.getHeaders() == null) {
            return Optional.empty();
        }
        return part.getHeaders().stream().filter(h -> name.equalsIgnoreCase(h.getName()))
                .map(MessagePartHeader::getValue).findFirst();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
