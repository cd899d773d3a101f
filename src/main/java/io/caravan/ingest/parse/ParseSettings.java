package io.caravan.ingest.parse;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the document parser. PDF and DOCX (and large HTML) are parsed in child JVMs, because a valid
 * DOCX bomb exhausts any heap it is parsed in (STACK.md #16): the child's heap and the timeout are the fence.
 *
 * @param maxChars               most characters of extracted text; more fails with {@code too_large}
 * @param workerHeap             {@code -Xmx} of each child JVM
 * @param timeout                wall-clock limit of one parse in a child; the child is killed when it passes
 * @param workerStartTimeout     wall-clock limit for a child JVM to start and load Tika; not the
 *                               document's fault when it passes, so that failure is retryable
 * @param workers                most child JVMs alive at once, so also most concurrent PDF/DOCX parses
 * @param maxDocumentsPerWorker  a child is replaced after this many documents, so no leak can build up
 * @param workerIdleTimeout      an idle child is stopped after this long, giving its memory back
 * @param inProcessHtmlMaxBytes  HTML up to this size is parsed in-process; larger HTML goes to a child, as
 *                               the HTML parser builds a DOM several times the size of its input
 */
@ConfigurationProperties("caravan.parse")
public record ParseSettings(
        @DefaultValue("20000000") int maxChars,
        @DefaultValue("256MB") DataSize workerHeap,
        @DefaultValue("30s") Duration timeout,
        @DefaultValue("60s") Duration workerStartTimeout,
        @DefaultValue("2") int workers,
        @DefaultValue("200") int maxDocumentsPerWorker,
        @DefaultValue("2m") Duration workerIdleTimeout,
        @DefaultValue("2MB") DataSize inProcessHtmlMaxBytes) {

    public ParseSettings {
        if (maxChars < 1 || workers < 1 || maxDocumentsPerWorker < 1) {
            throw new IllegalArgumentException("caravan.parse: max-chars, workers and max-documents-per-worker "
                    + "must be positive");
        }
        if (workerHeap.toMegabytes() < 64) {
            throw new IllegalArgumentException("caravan.parse.worker-heap must be at least 64MB");
        }
        if (!isPositive(timeout) || !isPositive(workerStartTimeout) || !isPositive(workerIdleTimeout)) {
            throw new IllegalArgumentException("caravan.parse: timeouts must be positive");
        }
    }

    /** The defaults, for code and tests that build the parser without Spring. */
    public static ParseSettings defaults() {
        return new ParseSettings(20_000_000, DataSize.ofMegabytes(256), Duration.ofSeconds(30),
                Duration.ofSeconds(60), 2, 200, Duration.ofMinutes(2), DataSize.ofMegabytes(2));
    }

    private static boolean isPositive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }
}
