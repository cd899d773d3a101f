package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict decoding of plain text and Markdown, in-process. Text must be UTF-8 (a UTF-8 or UTF-16 byte order
 * mark is honoured, it says what the encoding is). Invalid bytes fail the document instead of being
 * replaced or re-read in a guessed legacy charset: a wrong guess would index mojibake without anyone
 * noticing, while a failure tells the uploader to re-save the file as UTF-8.
 */
final class PlainText {

    private static final int CHUNK = 64 * 1024;

    private PlainText() {
    }

    static String decode(byte[] content, int maxChars) {
        Charset charset = StandardCharsets.UTF_8;
        int start = 0;
        int bytesPerCharAtMost = 3; // a UTF-16 unit is 1-3 UTF-8 bytes (4 bytes make 2 units)
        if (startsWith(content, 0xEF, 0xBB, 0xBF)) {
            start = 3;
        } else if (startsWith(content, 0xFE, 0xFF)) {
            charset = StandardCharsets.UTF_16BE;
            start = 2;
            bytesPerCharAtMost = 2;
        } else if (startsWith(content, 0xFF, 0xFE)) {
            charset = StandardCharsets.UTF_16LE;
            start = 2;
            bytesPerCharAtMost = 2;
        }
        int length = content.length - start;
        if (length / bytesPerCharAtMost > maxChars) {
            throw Failures.tooManyChars(maxChars); // certain without decoding anything
        }
        CharsetDecoder decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content, start, length);
        CharBuffer out = CharBuffer.allocate(CHUNK);
        // decoded in chunks so a long input past the limit never becomes one huge buffer
        StringBuilder text = new StringBuilder(Math.min(length, maxChars));
        CoderResult result;
        do {
            result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw invalid(charset, in.position()); // the position is the offending byte's offset in content
            }
            append(out, text, maxChars);
        } while (result.isOverflow());
        do {
            result = decoder.flush(out);
            append(out, text, maxChars);
        } while (result.isOverflow());
        return text.toString();
    }

    private static void append(CharBuffer out, StringBuilder text, int maxChars) {
        out.flip();
        if (text.length() + out.remaining() > maxChars) {
            throw Failures.tooManyChars(maxChars);
        }
        text.append(out);
        out.clear();
    }

    private static IngestFailure invalid(Charset charset, int offset) {
        return new IngestFailure(Failures.STAGE, "parse_error", true,
                "the text is not valid " + charset.name() + " (invalid byte sequence at byte offset " + offset
                        + "); save it as UTF-8 and upload it again");
    }

    private static boolean startsWith(byte[] content, int... prefix) {
        if (content.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((content[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
