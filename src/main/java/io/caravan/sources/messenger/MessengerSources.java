package io.caravan.sources.messenger;

import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantRegistry;
import java.util.List;
import org.springframework.stereotype.Component;

/** The tenant's messenger sources and the default names of their secrets. */
@Component
public class MessengerSources {

    public static final String TYPE = "messenger";
    static final String DEFAULT_APP_SECRET = "messenger-app-secret";
    static final String DEFAULT_VERIFY_TOKEN = "messenger-verify-token";
    static final String DEFAULT_PAGE_TOKEN = "messenger-page-token";

    private final TenantRegistry tenants;

    MessengerSources(TenantRegistry tenants) {
        this.tenants = tenants;
    }

    /** The tenant's messenger sources; throws {@code TenantNotFoundException} for an unknown tenant. */
    public List<TenantConfig.Source> of(TenantId tenant) {
        List<TenantConfig.Source> sources = tenants.config(tenant).sources();
        return sources == null ? List.of() : sources.stream().filter(s -> TYPE.equals(s.type())).toList();
    }

    static String appSecretName(TenantConfig.Source source) {
        return orDefault(source.appSecretSecret(), DEFAULT_APP_SECRET);
    }

    static String verifyTokenName(TenantConfig.Source source) {
        return orDefault(source.verifyTokenSecret(), DEFAULT_VERIFY_TOKEN);
    }

    static String pageTokenName(TenantConfig.Source source) {
        return orDefault(source.pageTokenSecret(), DEFAULT_PAGE_TOKEN);
    }

    private static String orDefault(String name, String fallback) {
        return name == null || name.isBlank() ? fallback : name;
    }
}
