package io.caravan.query;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.tenancy.CorpusVersion;
import io.caravan.tenancy.MissingTenantException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Without a tenant there is nothing to look up or forget: both fail closed before touching the registry. */
class LiveDocumentsTest {

    private final LiveDocuments live = new LiveDocuments(null);

    @Test
    void aLookupWithoutATenantIsRefused() {
        assertThatThrownBy(() -> live.indexedAmong(null, new CorpusVersion(Instant.EPOCH, 1), List.of("doc-1")))
                .isInstanceOf(MissingTenantException.class);
    }

    @Test
    void forgettingWithoutATenantIsRefused() {
        assertThatThrownBy(() -> live.forget(null)).isInstanceOf(MissingTenantException.class);
    }
}
