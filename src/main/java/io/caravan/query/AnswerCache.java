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

    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    private final Cache<Key, QueryAnswer> cache;

    public AnswerCache(@Value("${caravan.cache.max-entries:10000}") long maxEntries,
                       @Value("${caravan.cache.ttl:PT10M}") Duration ttl) {
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).build();
    }

    public static String normalise(String question) {
        return WHITESPACE.matcher(Normalizer.normalize(question, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT))
                .replaceAll(" ").strip();
    }

    public Optional<QueryAnswer> get(Key key) {
        return Optional.ofNullable(cache.getIfPresent(key));
    }

    public void put(Key key, QueryAnswer answer) {
        cache.put(key, answer);
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
