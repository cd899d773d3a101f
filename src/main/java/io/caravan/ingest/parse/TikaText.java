package io.caravan.ingest.parse;

import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.sax.BodyContentHandler;

/** Runs one Tika parser over a document's bytes, with the character limit as Tika's write limit. */
final class TikaText {

    private TikaText() {
    }

    /**
     * The parse context holds no {@link Parser}, so embedded documents (attachments in a PDF, objects in a
     * DOCX) are skipped rather than parsed by whatever parser their type would pick.
     */
    static String extract(Parser parser, ParseContext context, byte[] content, MediaType type, int maxChars) {
        BodyContentHandler handler = new BodyContentHandler(maxChars);
        Metadata metadata = new Metadata();
        metadata.set(Metadata.CONTENT_TYPE, type.toString());
        try (TikaInputStream in = TikaInputStream.get(content)) {
            parser.parse(in, handler, metadata, context);
        } catch (Exception e) {
            throw Failures.of(e, type, maxChars);
        }
        return handler.toString();
    }
}
