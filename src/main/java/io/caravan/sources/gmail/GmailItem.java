package io.caravan.sources.gmail;

/** One document taken from a mail: its body or one attachment. */
public record GmailItem(String messageId, String title, String uri, String contentType, byte[] content,
                        String fileName) {
}
