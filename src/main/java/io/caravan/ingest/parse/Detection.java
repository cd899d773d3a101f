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
