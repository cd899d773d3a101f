package io.caravan.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.tenancy.CorpusVersion;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A cache key without a tenant cannot exist; keys of two tenants, or of two incarnations of one, never collide. */
class AnswerCacheKeyTest {

    private static final CorpusVersion V1 = new CorpusVersion(Instant.parse("2026-01-01T00:00:00Z"), 1);

    @Test
    void aKeyWithoutATenantIsRefused() {
        assertThatThrownBy(() -> new AnswerCache.Key(null, 1, V1, "q", "standard", 5))
                .isInstanceOf(MissingTenantException.class);
    }

    @Test
    void theSameQuestionOfTwoTenantsIsTwoEntries() {
        AnswerCache cache = new AnswerCache(100, Duration.ofMinutes(1));
        AnswerCache.Key a = new AnswerCache.Key(TenantId.of("acme"), 1, V1, "q", "standard", 5);
        AnswerCache.Key b = new AnswerCache.Key(TenantId.of("globex"), 1, V1, "q", "standard", 5);
        QueryAnswer answer = new QueryAnswer("a", java.util.List.of(), "m", "p", false,
                new QueryAnswer.Usage(1, 1), new QueryAnswer.Route("standard", java.util.List.of()), "upload");
        cache.put(a, answer);
        assertThat(cache.get(a)).isPresent();
        assertThat(cache.get(b)).isEmpty();
        assertThat(cache.evict(TenantId.of("globex"))).isZero();
        assertThat(cache.evict(TenantId.of("acme"))).isEqualTo(1);
    }

    @Test
    void aTenantCreatedAgainUnderItsIdDoesNotReachTheAnswersOfTheOneErased() {
        AnswerCache cache = new AnswerCache(100, Duration.ofMinutes(1));
        TenantId acme = TenantId.of("acme");
        // another replica never saw the erasure: its entries of the first incarnation are still there
        cache.put(new AnswerCache.Key(acme, 1, V1, "q", "standard", 5), new QueryAnswer("old", java.util.List.of(),
                "m", "p", false, new QueryAnswer.Usage(1, 1), new QueryAnswer.Route("standard", java.util.List.of()),
                "upload"));
        CorpusVersion again = new CorpusVersion(V1.tenantCreatedAt().plusSeconds(30), 1);

        assertThat(cache.get(new AnswerCache.Key(acme, 1, again, "q", "standard", 5))).isEmpty();
    }

    @Test
    void anAnswerOfOtherVersionsIsAMissButAHintThatTheQuestionWasAsked() {
        AnswerCache cache = new AnswerCache(100, Duration.ofMinutes(1));
        TenantId acme = TenantId.of("acme");
        CorpusVersion v2 = new CorpusVersion(V1.tenantCreatedAt(), 2);
        assertThat(cache.mayAnswer(acme, "q", "standard", 5)).isFalse();
        cache.put(new AnswerCache.Key(acme, 1, V1, "q", "standard", 5), answer("at v1"));

        assertThat(cache.mayAnswer(acme, "q", "standard", 5)).isTrue();
        assertThat(cache.mayAnswer(acme, "q", "critical", 5)).isFalse();
        assertThat(cache.mayAnswer(TenantId.of("globex"), "q", "standard", 5)).isFalse();
        assertThat(cache.get(new AnswerCache.Key(acme, 1, v2, "q", "standard", 5))).isEmpty(); // a document indexed
        assertThat(cache.get(new AnswerCache.Key(acme, 2, V1, "q", "standard", 5))).isEmpty(); // config changed

        // the answer at the new versions replaces the old one
        cache.put(new AnswerCache.Key(acme, 1, v2, "q", "standard", 5), answer("at v2"));
        assertThat(cache.get(new AnswerCache.Key(acme, 1, v2, "q", "standard", 5))).get()
                .extracting(QueryAnswer::answer).isEqualTo("at v2");
        assertThat(cache.get(new AnswerCache.Key(acme, 1, V1, "q", "standard", 5))).isEmpty();
    }

    @Test
    void aSlowAnswerOfEarlierVersionsDoesNotReplaceALaterOne() {
        AnswerCache cache = new AnswerCache(100, Duration.ofMinutes(1));
        TenantId acme = TenantId.of("acme");
        CorpusVersion v2 = new CorpusVersion(V1.tenantCreatedAt(), 2);
        cache.put(new AnswerCache.Key(acme, 1, v2, "q", "standard", 5), answer("at v2"));
        cache.put(new AnswerCache.Key(acme, 1, V1, "q", "standard", 5), answer("at v1, finished last"));

        assertThat(cache.get(new AnswerCache.Key(acme, 1, v2, "q", "standard", 5))).get()
                .extracting(QueryAnswer::answer).isEqualTo("at v2");
        // another incarnation of the tenant always replaces it: its versions start again
        CorpusVersion again = new CorpusVersion(V1.tenantCreatedAt().plusSeconds(30), 0);
        cache.put(new AnswerCache.Key(acme, 1, again, "q", "standard", 5), answer("new tenant"));
        assertThat(cache.get(new AnswerCache.Key(acme, 1, again, "q", "standard", 5))).get()
                .extracting(QueryAnswer::answer).isEqualTo("new tenant");
    }

    @Test
    void askingWhetherAnAnswerExistsWithoutATenantIsRefused() {
        AnswerCache cache = new AnswerCache(100, Duration.ofMinutes(1));
        assertThatThrownBy(() -> cache.mayAnswer(null, "q", "standard", 5)).isInstanceOf(MissingTenantException.class);
    }

    private static QueryAnswer answer(String text) {
        return new QueryAnswer(text, java.util.List.of(), "m", "p", false, new QueryAnswer.Usage(1, 1),
                new QueryAnswer.Route("standard", java.util.List.of()), "upload");
    }
}
