package io.caravan.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A cache key without a tenant cannot exist; keys of two tenants never collide. */
class AnswerCacheKeyTest {

    @Test
    void aKeyWithoutATenantIsRefused() {
        assertThatThrownBy(() -> new AnswerCache.Key(null, 1, 1, "q", "standard", 5))
                .isInstanceOf(MissingTenantException.class);
    }

    @Test
    void theSameQuestionOfTwoTenantsIsTwoEntries() {
        AnswerCache cache = new AnswerCache(100, Duration.ofMinutes(1));
        AnswerCache.Key a = new AnswerCache.Key(TenantId.of("acme"), 1, 1, "q", "standard", 5);
        AnswerCache.Key b = new AnswerCache.Key(TenantId.of("globex"), 1, 1, "q", "standard", 5);
        QueryAnswer answer = new QueryAnswer("a", java.util.List.of(), "m", "p", false,
                new QueryAnswer.Usage(1, 1), new QueryAnswer.Route("standard", java.util.List.of()), "upload");
        cache.put(a, answer);
        assertThat(cache.get(a)).isPresent();
        assertThat(cache.get(b)).isEmpty();
        assertThat(cache.evict(TenantId.of("globex"))).isZero();
        assertThat(cache.evict(TenantId.of("acme"))).isEqualTo(1);
    }
}
