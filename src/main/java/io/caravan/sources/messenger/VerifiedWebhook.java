package io.caravan.sources.messenger;

import java.util.List;

/**
 * A webhook body whose signature verified with the app secret of the listed messenger sources of the tenant on
 * the exchange; only entries for those sources' pages are ingested.
 */
public record VerifiedWebhook(List<String> sourceIds, byte[] payload) {

    public VerifiedWebhook {
        sourceIds = List.copyOf(sourceIds);
    }
}
