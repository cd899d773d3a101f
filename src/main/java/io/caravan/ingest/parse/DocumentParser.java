package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;
import java.time.Duration;
import java.util.Objects;
import org.apache.tika.mime.MediaType;
import org.springframework.stereotype.Component;

/**
 * Extracts the text of an uploaded document, which may be hostile. The type comes from the bytes (the file
 * name can only refine it, e.g. text to Markdown). Plain text, Markdown and small HTML are parsed here; PDF,
 * DOCX and large HTML in child JVMs with their own small heap and a timeout, because a decompression bomb
 * must cost a child process, never the hub (STACK.md #16).
 *
 * <p>Every failure is an {@link IngestFailure} of stage {@code parse} with reason {@code unsupported_type},
 * {@code empty_content}, {@code too_large} or {@code parse_error}; all permanent except when the parser
 * itself is unavailable (a worker cannot start, or all stay busy), which is retryable.
 */
@Component
public class DocumentParser implements AutoCloseable {

    private final ParseSettings settings;
    private final Detection detection = new Detection();
    private final DocumentExtractor inProcess = new DocumentExtractor();
    private final ParseWorkers workers;

    public DocumentParser(ParseSettings settings) {
        this.settings = settings;
        this.workers = new ParseWorkers(WorkerCommand.forThisJvm(settings), settings);
    }

    /**
     * @param content  the document's bytes
     * @param fileName the uploaded file's name, or null; only a hint
     * @return the text (never blank) and the detected media type
     * @throws IngestFailure when the document cannot be turned into text
     */
    public ParsedText parse(byte[] content, String fileName) {
        return parse(content, fileName, null);
    }

    /**
     * As {@link #parse(byte[], String)}, with the wall-clock limit of a parse in a child: a tenant's
     * {@code limits.parseTimeout}, or null for the hub's {@code caravan.parse.timeout}. (Text and small HTML,
     * parsed here, are bounded by their size instead.)
     */
    public ParsedText parse(byte[] content, String fileName, Duration timeoutOrDefault) {
        Objects.requireNonNull(content, "content");
        Duration timeout = timeoutOrDefault != null ? timeoutOrDefault : settings.timeout();
        if (content.length == 0) {
            throw new IngestFailure(Failures.STAGE, "empty_content", true, "the document is empty (0 bytes)");
        }
        Detection.Detected detected = detection.detect(content, fileName);
        int maxChars = settings.maxChars();
        ParsedText parsed = switch (detected.route()) {
            case PLAIN_TEXT -> new ParsedText(PlainText.decode(content, maxChars), detected.type().toString());
            case HTML -> content.length <= settings.inProcessHtmlMaxBytes().toBytes()
                    ? inProcess.html(content, detected.type(), maxChars)
                    : workers.parse(new WorkerProtocol.Request(content, detected.type().toString(), maxChars),
                            detected.type(), timeout);
            case CHILD -> workers.parse(new WorkerProtocol.Request(content, null, maxChars), detected.type(),
                    timeout);
            case UNSUPPORTED -> throw Failures.unsupported(detected.type());
        };
        if (parsed.text().isBlank()) {
            throw Failures.empty(MediaType.parse(parsed.mediaType()));
        }
        return parsed;
    }

    /** Stops the child JVMs; Spring calls it when the context closes. */
    @Override
    public void close() {
        workers.close();
    }
}
