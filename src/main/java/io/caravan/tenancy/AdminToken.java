package io.caravan.tenancy;

import io.caravan.config.CaravanProperties;
import io.caravan.config.DataDirectory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The admin bearer token: {@code CARAVAN_ADMIN_TOKEN}, or in the embedded mode a random token written to
 * {@code <data dir>/admin-token} (0600). Only its path is ever logged.
 */
@Component
public class AdminToken {

    private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);
    static final String FILE = "admin-token";

    private final byte[] token;

    public AdminToken(CaravanProperties properties, DataDirectory dataDirectory) {
        String configured = properties.adminToken();
        if (configured != null && !configured.isBlank()) {
            token = configured.trim().getBytes(StandardCharsets.UTF_8);
        } else if (properties.requireExplicitSecrets()) {
            throw new IllegalStateException("CARAVAN_ADMIN_TOKEN is required in this profile");
        } else {
            String generated = dataDirectory.readOrCreatePrivate(FILE, AdminToken::generate);
            token = generated.getBytes(StandardCharsets.UTF_8);
            LOG.info("Admin token not configured; using the generated token in {}", dataDirectory.resolve(FILE));
        }
    }

    /** Constant-time comparison with the configured token. */
    public boolean matches(String candidate) {
        return candidate != null
                && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    private static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "cvn_admin_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
