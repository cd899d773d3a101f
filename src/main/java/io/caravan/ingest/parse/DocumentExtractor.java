package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;
import java.io.IOException;
import org.apache.tika.detect.DefaultDetector;
import org.apache.tika.detect.Detector;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.html.JSoupParser;
import org.apache.tika.parser.microsoft.OfficeParserConfig;
import org.apache.tika.parser.microsoft.ooxml.OOXMLParser;
import org.apache.tika.parser.pdf.PDFParser;
import org.apache.tika.parser.pdf.PDFParserConfig;

/**
 * The Tika side of parsing, used by the child JVM ({@link ParseWorker}) and, for small HTML, in-process.
 * Only the parsers of the supported formats are ever called; everything else is refused by type.
 */
final class DocumentExtractor {

    private static final MediaType OOXML_ENCRYPTED = MediaType.application("x-tika-ooxml-protected");

    // the full detector looks inside ZIP and OLE2 containers: only ever run it in the child JVM
    private final Detector containerDetector = new DefaultDetector();
    private final MediaTypeRegistry registry = MediaTypeRegistry.getDefaultRegistry();
    private final PDFParser pdf = new PDFParser();
    private final OOXMLParser ooxml = new OOXMLParser();
    private final JSoupParser html = new JSoupParser();

    /** HTML (its type decided by the hub from bytes and name), parsed without looking further. */
    ParsedText html(byte[] content, MediaType type, int maxChars) {
        return new ParsedText(TikaText.extract(html, new ParseContext(), content, type, maxChars), type.toString());
    }

    /** PDF or DOCX, as the container detector sees the bytes; anything else is refused. */
    ParsedText document(byte[] content, int maxChars) {
        MediaType type = detectContainer(content);
        if (registry.isInstanceOf(type, Detection.PDF)) {
            return new ParsedText(TikaText.extract(pdf, pdfContext(), content, type, maxChars), type.toString());
        }
        if (Detection.DOCX.equals(type)) {
            return new ParsedText(TikaText.extract(ooxml, docxContext(), content, type, maxChars),
                    type.toString());
        }
        if (OOXML_ENCRYPTED.equals(type)) {
            throw Failures.encrypted(Detection.DOCX);
        }
        throw Failures.unsupported(type);
    }

    private MediaType detectContainer(byte[] content) {
        try (TikaInputStream in = TikaInputStream.get(content)) {
            return registry.normalize(containerDetector.detect(in, new Metadata()));
        } catch (IOException | RuntimeException e) {
            throw new IngestFailure(Failures.STAGE, "parse_error", true,
                    "the document's container is corrupt: " + e.getClass().getSimpleName());
        }
    }

    private static ParseContext pdfContext() {
        PDFParserConfig config = new PDFParserConfig();
        config.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR); // no tesseract runs, here or in production
        config.setExtractInlineImages(false);
        ParseContext context = new ParseContext();
        context.set(PDFParserConfig.class, config);
        return context;
    }

    private static ParseContext docxContext() {
        OfficeParserConfig config = new OfficeParserConfig();
        // streams document.xml instead of building its DOM: far less memory for large but honest documents
        config.setUseSAXDocxExtractor(true);
        config.setIncludeHeadersAndFooters(true);
        ParseContext context = new ParseContext();
        context.set(OfficeParserConfig.class, config);
        return context;
    }
}
