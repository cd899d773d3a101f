package io.caravan.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.caravan.tenancy.CorpusVersion;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.text.Normalizer;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Tenant-scoped answer cache (per replica). The key holds the tenant, its config version, its corpus
 * version (with the tenant's creation time), the normalised question, the criticality and topK: two tenants
 * never share an entry, a config change or a document indexed or removed makes the tenant's old entries
 * unreachable at once, and so does erasing the tenant and creating it again under the same id.
 *
 * <p>An entry is stored under the tenant and question and remembers the versions it was answered at; an answer
 * of other versions is a miss, and the next answer replaces it. So {@link #mayAnswer} can tell, before the
 * versions are read, whether an answer is likely (the query controller then does not start the question's
 * embedding early).
 */
@Component
public class AnswerCache {

    /** Everything an answer depends on. */
    public record Key(TenantId tenant, int configVersion, CorpusVersion corpus, String question, String criticality,
                      int topK) {
        public Key {
            if (tenant == null) {
                throw new MissingTenantException("answer cache key");
            }
        }
    }

    /** The part of a key an entry is stored under. */
    private record Asked(TenantId tenant, String question, String criticality, int topK) {
    }

    /** An answer with the versions it was given at. */
    private record Entry(int configVersion, CorpusVersion corpus, QueryAnswer answer) {

        /** Versions only grow within one incarnation of the tenant; another incarnation is never "later". */
        boolean isLaterThan(Entry other) {
            return corpus.tenantCreatedAt().equals(other.corpus.tenantCreatedAt())
                    && configVersion >= other.configVersion && corpus.version() >= other.corpus.version()
                    && (configVersion > other.configVersion || corpus.version() > other.corpus.version());
        }
    }

    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    private final Cache<Asked, Entry> cache;

    public AnswerCache(@Value("${caravan.cache.max-entries:10000}") long maxEntries,
                       @Value("${caravan.cache.ttl:PT10M}") Duration ttl) {
        // upkeep on the caller's thread: cheap, and no other thread to wake on the query path
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).executor(Runnable::run)
                .build();
    }

    public static String normalise(String question) {
        return WHITESPACE.matcher(Normalizer.normalize(question, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT))
                .replaceAll(" ").strip();
    }

    public Optional<QueryAnswer> get(Key key) {
        Entry entry = cache.getIfPresent(asked(key));
        return entry != null && entry.configVersion() == key.configVersion() && entry.corpus().equals(key.corpus())
                ? Optional.of(entry.answer()) : Optional.empty();
    }

    /** Stores the answer, unless the entry holds one of later versions (a slower query answered earlier ones). */
    public void put(Key key, QueryAnswer answer) {
        cache.asMap().merge(asked(key), new Entry(key.configVersion(), key.corpus(), answer),
                (held, given) -> held.isLaterThan(given) ? held : given);
    }

    /**
     * Whether the tenant's question (normalised) has an answer of some versions: a likely hit, unless the
     * tenant's config or corpus changed since.
     */
    public boolean mayAnswer(TenantId tenant, String question, String criticality, int topK) {
        if (tenant == null) {
            throw new MissingTenantException("answer cache lookup");
        }
        return cache.getIfPresent(new Asked(tenant, question, criticality, topK)) != null;
    }

    private static Asked asked(Key key) {
        return new Asked(key.tenant(), key.question(), key.criticality(), key.topK());
    }

    /** Drops every entry of the tenant; returns how many there were. */
    public int evict(TenantId tenant) {
        int[] removed = {0};
        cache.asMap().keySet().removeIf(key -> {
            boolean match = key.tenant().equals(tenant);
            removed[0] += match ? 1 : 0;
            return match;
        });
        return removed[0];
    }
}
