package io.caravan.sources.messenger;

import io.caravan.secrets.TenantSecrets;
import io.caravan.sources.SourceBinding;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A {@code messenger} source as a {@code messenger-source} Kamelet instance: the Graph API backfill of the page.
 * The page access token comes from the tenant's own secret named by {@code pageTokenSecret} (default
 * {@code messenger-page-token}); the app secret, when set, adds an {@code appsecret_proof} to every call. Live
 * messages do not need the instance: they arrive through the webhook.
 */
@Component
public class MessengerSourceBinding implements SourceBinding {

    private final TenantSecrets secrets;
    private final String graphUrl;
    private final int maxPages;
    private final int pageSize;
    private final long timeoutMillis;

    MessengerSourceBinding(TenantSecrets secrets,
                           @Value("${caravan.messenger.graph-url:https://graph.facebook.com/v19.0}") String graphUrl,
                           @Value("${caravan.messenger.backfill-max-pages:10}") int maxPages,
                           @Value("${caravan.messenger.backfill-page-size:25}") int pageSize,
                           @Value("${caravan.messenger.timeout:10s}") java.time.Duration timeout) {
        this.secrets = secrets;
        this.graphUrl = graphUrl;
        this.maxPages = maxPages;
        this.pageSize = pageSize;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public String type() {
        return MessengerSources.TYPE;
    }

    @Override
    public String kamelet() {
        return "messenger-source";
    }

    @Override
    public Map<String, String> properties(TenantId tenant, TenantConfig.Source source) {
        if (source.pageId() == null || source.pageId().isBlank()) {
            throw new IllegalArgumentException("messenger source '" + source.id() + "' needs a pageId");
        }
        String tokenName = MessengerSources.pageTokenName(source);
        if (!TenantSecrets.isValidName(tokenName)) {
            throw new IllegalArgumentException("messenger source '" + source.id() + "': invalid pageTokenSecret");
        }
        String token = secrets.read(tenant, tokenName).orElseThrow(() -> new IllegalArgumentException(
                "messenger source '" + source.id() + "': the secret '" + tokenName + "' (page access token) is not set"));
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("pageId", source.pageId());
        properties.put("pageAccessToken", token);
        String appSecretName = MessengerSources.appSecretName(source);
        if (TenantSecrets.isValidName(appSecretName)) {
            secrets.read(tenant, appSecretName).ifPresent(secret -> properties.put("appSecret", secret));
        }
        properties.put("graphUrl", graphUrl);
        properties.put("maxPages", Integer.toString(maxPages));
        properties.put("pageSize", Integer.toString(pageSize));
        properties.put("timeoutMillis", Long.toString(timeoutMillis));
        return properties;
    }
}
