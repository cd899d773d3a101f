package io.caravan.ingest;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import org.springframework.stereotype.Component;

/** Time-ordered, unguessable ids ({@code doc_<millis hex><random hex>}), so listing by id is newest-first. */
@Component
public class DocumentIds {

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public DocumentIds(Clock clock) {
        this.clock = clock;
    }

    public String next(String prefix) {
        byte[] suffix = new byte[8];
        random.nextBytes(suffix);
        return prefix + String.format("%012x", clock.millis()) + HexFormat.of().formatHex(suffix);
    }
}
