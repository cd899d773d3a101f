package io.caravan.sources.messenger;

import io.caravan.secrets.TenantSecrets;
import io.caravan.tenancy.TenantConfig;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantNotFoundException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Authenticates Messenger webhooks for the tenant named in their path: the verify-token handshake and the
 * {@code X-Hub-Signature-256} HMAC over the raw body with the app secret of the tenant's messenger sources.
 * The path only names a candidate; it becomes the request's tenant once this says so. Secrets are compared in
 * constant time and never logged.
 */
@Component
public class MessengerWebhookVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(MessengerWebhookVerifier.class);
    private static final Pattern SIGNATURE = Pattern.compile("^sha256=([0-9a-fA-F]{64})$");
    private static final String HMAC = "HmacSHA256";

    private final MessengerSources sources;
    private final TenantSecrets secrets;

    MessengerWebhookVerifier(MessengerSources sources, TenantSecrets secrets) {
        this.sources = sources;
        this.secrets = secrets;
    }

    /** True when the header has the {@code sha256=<64 hex>} form at all (checked before any lookup). */
    public static boolean isWellFormed(String signatureHeader) {
        return signatureHeader != null && SIGNATURE.matcher(signatureHeader.trim()).matches();
    }

    /**
     * The ids of the tenant's messenger sources whose app secret produced this signature; empty when none did.
     * Throws {@link TenantNotFoundException} when the tenant does not exist or has no messenger source.
     */
    public List<String> verifySignature(TenantId candidate, byte[] rawBody, String signatureHeader) {
        List<TenantConfig.Source> messenger = messengerSources(candidate);
        var matcher = SIGNATURE.matcher(signatureHeader == null ? "" : signatureHeader.trim());
        if (!matcher.matches()) {
            return List.of();
        }
        byte[] offered = HexFormat.of().parseHex(matcher.group(1).toLowerCase(java.util.Locale.ROOT));
        List<String> verified = new ArrayList<>();
        for (TenantConfig.Source source : messenger) {
            Optional<String> appSecret = secret(candidate, source, MessengerSources.appSecretName(source));
            // every configured source is checked, so the time taken does not tell which one matched
            if (appSecret.isPresent() && MessageDigest.isEqual(hmac(appSecret.get(), rawBody), offered)) {
                verified.add(source.id());
            }
        }
        return verified;
    }

    /** True when the token equals the verify token of one of the tenant's messenger sources. */
    public boolean verifyToken(TenantId candidate, String token) {
        List<TenantConfig.Source> messenger = messengerSources(candidate);
        if (token == null || token.isEmpty()) {
            return false;
        }
        byte[] offered = token.getBytes(StandardCharsets.UTF_8);
        boolean matched = false;
        for (TenantConfig.Source source : messenger) {
            Optional<String> expected = secret(candidate, source, MessengerSources.verifyTokenName(source));
            if (expected.isPresent()
                    && MessageDigest.isEqual(expected.get().getBytes(StandardCharsets.UTF_8), offered)) {
                matched = true;
            }
        }
        return matched;
    }

    private List<TenantConfig.Source> messengerSources(TenantId candidate) {
        List<TenantConfig.Source> messenger = sources.of(candidate);
        if (messenger.isEmpty()) {
            // to the caller a tenant without Messenger is as unknown as one that does not exist
            throw new TenantNotFoundException(candidate.value());
        }
        return messenger;
    }

    private Optional<String> secret(TenantId tenant, TenantConfig.Source source, String name) {
        if (!TenantSecrets.isValidName(name)) {
            LOG.warn("Messenger source {} names an invalid secret; its webhooks cannot be verified", source.id());
            return Optional.empty();
        }
        Optional<String> value = secrets.read(tenant, name);
        if (value.isEmpty()) {
            LOG.warn("Messenger source {}: the secret '{}' is not set; its webhooks cannot be verified",
                    source.id(), name);
        }
        return value;
    }

    static byte[] hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), HMAC));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }
}
