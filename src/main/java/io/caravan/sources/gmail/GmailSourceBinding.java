package io.caravan.sources.gmail;

import io.caravan.secrets.TenantSecrets;
import io.caravan.sources.SourceBinding;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Gmail sources ({@code type: gmail}): the {@code gmail-source} Kamelet with the tenant's OAuth credentials,
 * read from the tenant's own secret named by {@code credentialsSecret}, and the source's {@code query}.
 */
@Component
public class GmailSourceBinding implements SourceBinding {

    private final TenantSecrets secrets;

    public GmailSourceBinding(TenantSecrets secrets) {
        this.secrets = secrets;
    }

    @Override
    public String type() {
        return "gmail";
    }

    @Override
    public String kamelet() {
        return "gmail-source";
    }

    @Override
    public Map<String, String> properties(TenantId tenant, TenantConfig.Source source) {
        String secretName = source.credentialsSecret();
        if (secretName == null || secretName.isBlank()) {
            throw new IllegalArgumentException("gmail source '" + source.id() + "' needs 'credentialsSecret'");
        }
        String json = secrets.read(tenant, secretName).orElseThrow(() -> new IllegalArgumentException(
                "gmail source '" + source.id() + "': secret '" + secretName + "' does not exist"));
        GmailCredentials credentials = GmailCredentials.parse(secretName, json);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("clientId", credentials.clientId());
        properties.put("clientSecret", credentials.clientSecret());
        properties.put("refreshToken", credentials.refreshToken());
        if (source.query() != null && !source.query().isBlank()) {
            properties.put("query", source.query());
        }
        if (source.schedule() != null && !source.schedule().isBlank()) {
            properties.put("delay", String.valueOf(pollEvery(source).toMillis()));
        }
        return properties;
    }

    /** The source's {@code schedule} (ISO-8601 duration, as for web sources) is the time between two polls. */
    private static Duration pollEvery(TenantConfig.Source source) {
        try {
            Duration every = Duration.parse(source.schedule());
            if (!every.isNegative() && !every.isZero()) {
                return every;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new IllegalArgumentException("gmail source '" + source.id() + "': schedule '" + source.schedule()
                + "' is not a positive ISO-8601 duration such as PT5M");
    }
}
