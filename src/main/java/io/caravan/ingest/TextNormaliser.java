package io.caravan.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;

/** Normalises extracted text and hashes it: the idempotence key is tenant + sha256(normalised text). */
public final class TextNormaliser {

    private TextNormaliser() {
    }

    /** NFC, unified line ends, trailing spaces and runs of blank lines collapsed, trimmed. */
    public static String normalise(String text) {
        String nfc = Normalizer.normalize(text, Normalizer.Form.NFC).replace("\r\n", "\n").replace('\r', '\n');
        return nfc.replaceAll("[ \\t\\x0B\\f]+\\n", "\n")
                .replaceAll("\\n{3,}", "\n\n")
                .replace('\u0000', ' ')
                .strip();
    }

    public static String sha256(String normalised) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(normalised.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
