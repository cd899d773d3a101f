package io.caravan.sources.messenger;

import java.time.Instant;

/**
 * One Messenger message of a tenant's page, from a webhook event or the Graph API backfill. {@code senderName}
 * is known only from the backfill (webhooks carry the sender's page-scoped id alone).
 */
public record MessengerMessage(String sourceId, String pageId, String senderId, String senderName, String mid,
                               String text, Instant sentAt) {

    /** How the sender is shown in titles: the name when known, else the page-scoped id. */
    public String sender() {
        return senderName != null && !senderName.isBlank() ? senderName : senderId;
    }

    /** Where the message lives: {@code messenger://<pageId>/<senderId>/<mid>}. */
    public String sourceUri() {
        return "messenger://" + pageId + "/" + senderId + "/" + mid;
    }

    public String title() {
        return "Messenger message from " + sender() + " at " + sentAt;
    }
}
