package io.caravan.api;

import io.caravan.observability.TenantMdc;
import io.caravan.observability.TenantMetrics;
import io.caravan.sources.messenger.InvalidWebhookPayloadException;
import io.caravan.sources.messenger.MessengerWebhookVerifier;
import io.caravan.sources.messenger.VerifiedWebhook;
import io.caravan.tenancy.TenantHeader;
import io.caravan.tenancy.TenantId;
import io.caravan.tenancy.TenantNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /webhooks/messenger/{tenant}} (API.md, Webhooks): no API key. The path names a candidate tenant; it is
 * the request's tenant only once the verify token or the body's signature checks out with that tenant's own
 * secrets. The body is read as raw bytes, so the HMAC covers exactly what was sent.
 */
@RestController
@RequestMapping("/webhooks/messenger")
class MessengerWebhookController {

    static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
    /** Facebook's challenges are numbers; anything printable and short is echoed, nothing else. */
    private static final Pattern CHALLENGE = Pattern.compile("^[\\x21-\\x7E]{1,256}$");

    private final MessengerWebhookVerifier verifier;
    private final ProducerTemplate camel;
    private final TenantMetrics metrics;
    private final int maxBodyBytes;

    MessengerWebhookController(MessengerWebhookVerifier verifier, ProducerTemplate camel, TenantMetrics metrics,
                               @Value("${caravan.messenger.max-webhook-bytes:1048576}") int maxBodyBytes) {
        this.verifier = verifier;
        this.camel = camel;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    @GetMapping("/{tenant}")
    ResponseEntity<String> handshake(@PathVariable("tenant") String tenant,
                                     @RequestParam(name = "hub.mode", required = false) String mode,
                                     @RequestParam(name = "hub.verify_token", required = false) String token,
                                     @RequestParam(name = "hub.challenge", required = false) String challenge) {
        TenantId candidate = candidate(tenant);
        if (!"subscribe".equals(mode) || challenge == null || !CHALLENGE.matcher(challenge).matches()
                || !verifier.verifyToken(candidate, token)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "the verify token does not match this tenant's");
        }
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(challenge);
    }

    @PostMapping("/{tenant}")
    ResponseEntity<Void> receive(@PathVariable("tenant") String tenant,
                                 @RequestHeader(name = SIGNATURE_HEADER, required = false) String signature,
                                 HttpServletRequest request) throws IOException {
        if (!MessengerWebhookVerifier.isWellFormed(signature)) {
            throw unauthenticated();
        }
        TenantId candidate = candidate(tenant);
        byte[] body = readBody(request);
        List<String> sources = verifier.verifySignature(candidate, body, signature);
        if (sources.isEmpty()) {
            throw unauthenticated();
        }
        TenantId verified = candidate; // from here on the path's tenant is the request's tenant
        try (TenantMdc.Scope ignored = TenantMdc.open(verified)) {
            camel.requestBodyAndHeaders("direct:messenger-webhook", new VerifiedWebhook(sources, body),
                    TenantHeader.headers(verified));
        } catch (CamelExecutionException e) {
            if (e.getCause() instanceof InvalidWebhookPayloadException invalid) {
                throw new ApiException(ErrorCode.INVALID_REQUEST, invalid.getMessage());
            }
            throw e;
        }
        return ResponseEntity.ok().build();
    }

    private ApiException unauthenticated() {
        metrics.tenantMissing("webhook");
        return new ApiException(ErrorCode.UNAUTHENTICATED,
                "a valid X-Hub-Signature-256 (sha256=<hex HMAC-SHA256 of the body with the app secret>) is required");
    }

    private static TenantId candidate(String tenant) {
        if (!TenantId.isValid(tenant)) {
            throw new TenantNotFoundException(tenant);
        }
        return TenantId.of(tenant);
    }

    private byte[] readBody(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > maxBodyBytes) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the webhook body exceeds " + maxBodyBytes + " bytes");
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "the webhook body exceeds " + maxBodyBytes + " bytes");
            }
            return body;
        }
    }
}
