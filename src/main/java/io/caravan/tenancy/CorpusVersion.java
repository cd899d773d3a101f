package io.caravan.tenancy;

import java.time.Instant;

/**
 * A tenant's corpus version (bumped whenever one of its documents is indexed or removed) together with the
 * tenant's creation time: a tenant erased and created again under the same id starts its versions over, so the
 * number alone could name the corpora of two incarnations, in another replica's caches too.
 */
public record CorpusVersion(Instant tenantCreatedAt, long version) {
}
