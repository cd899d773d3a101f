package io.caravan.ingest.parse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

/**
 * Decides from a document's bytes which parser may touch it. Only Tika's magic and text detection run here,
 * in the hub's JVM: nothing is decompressed, so ZIP-based and OLE2 files go to a child JVM, which inspects
 * the container itself.
 */
final class Detection {

    /** Where a document is parsed. */
    enum Route {
        /** strict UTF-8 (or UTF-16 with a BOM) decoding, in-process; fails for text in other charsets */
        PLAIN_TEXT,
        /** Tika's HTML parser, in-process when small */
        HTML,
        /** a child JVM: PDF, and ZIP or OLE2 containers that may be DOCX */
        CHILD,
        UNSUPPORTED
    }

    record Detected(MediaType type, Route route) {
    }

    static final MediaType PDF = MediaType.application("pdf");
    static final MediaType DOCX =
            MediaType.application("vnd.openxmlformats-officedocument.wordprocessingml.document");
    static final MediaType MARKDOWN = MediaType.text("markdown");
    private static final MediaType TIKA_MARKDOWN = MediaType.text("x-web-markdown");
    private static final MediaType XHTML = MediaType.application("xhtml+xml");
    private static final MediaType ZIP = MediaType.application("zip");
    private static final MediaType OLE2 = MediaType.application("x-tika-msoffice");

    private final MimeTypes mimeTypes = MimeTypes.getDefaultMimeTypes();
    private final MediaTypeRegistry registry = mimeTypes.getMediaTypeRegistry();

    Detected detect(byte[] content, String fileName) {
        Detected declared = declaredText(content, fileName);
        if (declared != null) {
            return declared;
        }
        MediaType fromBytes = tikaType(content, null);
        MediaType type = fromBytes;
        // the name may only refine what the bytes say (text/plain → text/markdown), never replace it; and
        // bytes Tika cannot place (application/octet-stream) stay unknown, or noise named .txt would be text
        if (fileName != null && !fileName.isBlank() && !MediaType.OCTET_STREAM.equals(fromBytes)) {
            MediaType fromName = tikaType(null, fileName);
            if (registry.isSpecializationOf(fromName, fromBytes)) {
                type = fromName;
            }
        }
        Route route = route(content, fromBytes, type);
        if (route == Route.PLAIN_TEXT && MediaType.OCTET_STREAM.equals(type)) {
            type = MediaType.TEXT_PLAIN;
        }
        // the hub's API speaks of text/markdown (RFC 7763); Tika still calls it text/x-web-markdown
        return new Detected(TIKA_MARKDOWN.equals(type) ? MARKDOWN : type, route);
    }

    private Route route(byte[] content, MediaType fromBytes, MediaType type) {
        if (registry.isInstanceOf(type, MediaType.TEXT_HTML) || registry.isInstanceOf(type, XHTML)) {
            return Route.HTML;
        }
        if (MediaType.TEXT_PLAIN.equals(fromBytes)) {
            // logs, CSV, source code: text by their bytes, whatever the name says they are
            return Route.PLAIN_TEXT;
        }
        if (MediaType.OCTET_STREAM.equals(fromBytes) && !hasControlBytes(content)) {
            // Tika calls text with many bytes above 127 binary (Cyrillic in windows-1251, short Latin-1):
            // without control bytes it is text in a legacy charset, and the strict decoder says so
            return Route.PLAIN_TEXT;
        }
        if (registry.isInstanceOf(type, PDF) || registry.isInstanceOf(type, ZIP)
                || registry.isInstanceOf(type, OLE2)) {
            return Route.CHILD;
        }
        return Route.UNSUPPORTED;
    }

    /**
     * The fast path for the common case, without Tika's magic detection (a fifth of an index worker's CPU for a
     * short text: hundreds of magic patterns and regular expressions): a file named as text or Markdown whose
     * bytes are strict UTF-8 without control bytes, with no '<' at all (HTML and XML, even past the start, go
     * to Tika as before) and not starting with '%' or '{' (PDF, PostScript, RTF). Binary noise, invalid UTF-8
     * and UTF-16 (a BOM is invalid UTF-8) fail a check and take Tika's path, unchanged. What this path accepts
     * Tika would call text/plain, except text that opens like a mail, patch or calendar file: declared as text,
     * that is now indexed as the text it is instead of being refused as an unsupported type.
     *
     * @return null when Tika must decide
     */
    static Detected declaredText(byte[] content, String fileName) {
        MediaType type = declaredTextType(fileName);
        if (type == null || !isPlainUtf8(content)) {
            return null;
        }
        return new Detected(type, Route.PLAIN_TEXT);
    }

    private static MediaType declaredTextType(String fileName) {
        if (fileName == null) {
            return null;
        }
        String name = fileName.toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".txt")) {
            return MediaType.TEXT_PLAIN;
        }
        if (name.endsWith(".md") || name.endsWith(".markdown")) {
            return MARKDOWN;
        }
        return null;
    }

    /** Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), no control bytes, no '<'. */
    static boolean isPlainUtf8(byte[] content) {
        int start = content.length >= 3 && (content[0] & 0xFF) == 0xEF && (content[1] & 0xFF) == 0xBB
                && (content[2] & 0xFF) == 0xBF ? 3 : 0;
        int first = start;
        while (first < content.length && (content[first] == ' ' || content[first] == '\t'
                || content[first] == '\n' || content[first] == '\r')) {
            first++;
        }
        if (first < content.length && (content[first] == '%' || content[first] == '{')) {
            return false;
        }
        for (int i = start; i < content.length; ) {
            int b = content[i] & 0xFF;
            if (b < 0x80) {
                if (b == '<' || (b < 0x20 && b != '\t' && b != '\n' && b != 0x0B && b != '\f' && b != '\r'
                        && b != 0x1B) || b == 0x7F) {
                    return false;
                }
                i++;
                continue;
            }
            int length;
            int min;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                min = 0x10000;
            } else {
                return false; // a continuation byte first, C0/C1 (overlong) or F5..FF
            }
            if (i + length > content.length) {
                return false;
            }
            int codePoint = b & (0xFF >> (length + 1));
            for (int k = 1; k < length; k++) {
                int next = content[i + k] & 0xFF;
                if ((next & 0xC0) != 0x80) {
                    return false;
                }
                codePoint = (codePoint << 6) | (next & 0x3F);
            }
            if (codePoint < min || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                return false;
            }
            i += length;
        }
        return true;
    }

    private MediaType tikaType(byte[] content, String fileName) {
        Metadata metadata = new Metadata();
        if (fileName != null) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        }
        try {
            return registry.normalize(mimeTypes.detect(content == null ? null : new ByteArrayInputStream(content),
                    metadata));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array cannot fail to be read
        }
    }

    /** Bytes no text file holds: C0 controls other than tab, line and page breaks and escape. */
    private static boolean hasControlBytes(byte[] content) {
        for (byte b : content) {
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != 0x0B && b != '\f' && b != '\r' && b != 0x1B) {
                return true;
            }
        }
        return false;
    }
}
