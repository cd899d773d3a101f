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
    private static final CorpusVersion V2 = new CorpusVersion(V1.tenantCreatedAt(), 2);
    private static final TenantId ACME = TenantId.of("acme");

    /** A new cache for each test (JUnit creates an instance per test). */
    private final AnswerCache cache = new AnswerCache(100, Duration.ofMinutes(1));

    @Test
    void aKeyWithoutATenantIsRefused() {
        assertThatThrownBy(() -> new AnswerCache.Key(null, 1, V1, "q", "standard", 5))
                .isInstanceOf(MissingTenantException.class);
    }

    @Test
    void theSameQuestionOfTwoTenantsIsTwoEntries() {
        AnswerCache.Key a = key(ACME, 1, V1);
        AnswerCache.Key b = key(TenantId.of("globex"), 1, V1);
        cache.put(a, answer("a"));
        assertThat(cache.get(a)).isPresent();
        assertThat(cache.get(b)).isEmpty();
        assertThat(cache.evict(TenantId.of("globex"))).isZero();
        assertThat(cache.evict(ACME)).isEqualTo(1);
    }

    @Test
    void aTenantCreatedAgainUnderItsIdDoesNotReachTheAnswersOfTheOneErased() {
        // another replica never saw the erasure: its entries of the first incarnation are still there
        cache.put(key(ACME, 1, V1), answer("old"));
        CorpusVersion again = new CorpusVersion(V1.tenantCreatedAt().plusSeconds(30), 1);

        assertThat(cache.get(key(ACME, 1, again))).isEmpty();
    }

    @Test
    void anAnswerOfOtherVersionsIsAMissButAHintThatTheQuestionWasAsked() {
        assertThat(cache.mayAnswer(ACME, "q", "standard", 5)).isFalse();
        cache.put(key(ACME, 1, V1), answer("at v1"));

        assertThat(cache.mayAnswer(ACME, "q", "standard", 5)).isTrue();
        assertThat(cache.mayAnswer(ACME, "q", "critical", 5)).isFalse();
        assertThat(cache.mayAnswer(TenantId.of("globex"), "q", "standard", 5)).isFalse();
        assertThat(cache.get(key(ACME, 1, V2))).isEmpty(); // a document indexed
        assertThat(cache.get(key(ACME, 2, V1))).isEmpty(); // config changed

        // the answer at the new versions replaces the old one
        cache.put(key(ACME, 1, V2), answer("at v2"));
        assertThat(cache.get(key(ACME, 1, V2))).get()
                .extracting(QueryAnswer::answer).isEqualTo("at v2");
        assertThat(cache.get(key(ACME, 1, V1))).isEmpty();
    }

    @Test
    void aSlowAnswerOfEarlierVersionsDoesNotReplaceALaterOne() {
        cache.put(key(ACME, 1, V2), answer("at v2"));
        cache.put(key(ACME, 1, V1), answer("at v1, finished last"));

        assertThat(cache.get(key(ACME, 1, V2))).get()
                .extracting(QueryAnswer::answer).isEqualTo("at v2");
        // another incarnation of the tenant always replaces it: its versions start again
        CorpusVersion again = new CorpusVersion(V1.tenantCreatedAt().plusSeconds(30), 0);
        cache.put(key(ACME, 1, again), answer("new tenant"));
        assertThat(cache.get(key(ACME, 1, again))).get()
                .extracting(QueryAnswer::answer).isEqualTo("new tenant");
    }

    @Test
    void askingWhetherAnAnswerExistsWithoutATenantIsRefused() {
        assertThatThrownBy(() -> cache.mayAnswer(null, "q", "standard", 5)).isInstanceOf(MissingTenantException.class);
    }

    /** The key of the question "q", criticality standard, top 5, at the given versions. */
    private static AnswerCache.Key key(TenantId tenant, int configVersion, CorpusVersion corpus) {
        return new AnswerCache.Key(tenant, configVersion, corpus, "q", "standard", 5);
    }

    private static QueryAnswer answer(String text) {
        return new QueryAnswer(text, java.util.List.of(), "m", "p", false, new QueryAnswer.Usage(1, 1),
                new QueryAnswer.Route("standard", java.util.List.of()), "upload");
    }
}
