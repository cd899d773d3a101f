package io.caravan.sources.messenger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The indexed text of a message: its text, then one line per attachment with its type and URL (files
 * themselves are not fetched: their URLs are short-lived and point at Facebook's CDN).
 */
final class MessageText {

    private MessageText() {
    }

    static String of(String text, JsonNode attachments) {
        StringBuilder out = new StringBuilder(text == null ? "" : text.strip());
        if (attachments != null && attachments.isArray()) {
            for (JsonNode attachment : attachments) {
                String url = attachment.path("payload").path("url").asText(
                        attachment.path("url").asText(attachment.path("file_url").asText("")));
                if (url.isBlank()) {
                    continue; // e.g. a template without a link: nothing worth indexing
                }
                String type = attachment.path("type").asText(attachment.path("mime_type").asText("attachment"));
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append('[').append(type).append("] ").append(url);
            }
        }
        return out.toString();
    }
}
