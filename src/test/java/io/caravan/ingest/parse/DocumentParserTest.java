package io.caravan.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.caravan.ingest.IngestFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.util.unit.DataSize;

/**
 * The parser against a generated corpus of good and hostile uploads, with real Tika and real child JVMs.
 * Bomb tests end by parsing a good document: the hub's JVM and the worker pool must survive them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocumentParserTest {

    private static final String DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    private final DocumentParser parser = new DocumentParser(ParseSettings.defaults());

    @AfterAll
    void stopWorkers() {
        parser.close();
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Text {

        @Test
        void plainText() {
            ParsedText parsed = parse("Hello, world.\nA second line: grüße.\n", "notes.txt");
            assertThat(parsed.text()).isEqualTo("Hello, world.\nA second line: grüße.\n");
            assertThat(parsed.mediaType()).isEqualTo("text/plain");
        }

        @Test
        void markdownKeepsItsSource() {
            String markdown = "# Caravan\n\nA *multi-tenant* RAG hub.\n\n- one\n- two\n";
            ParsedText parsed = parse(markdown, "README.md");
            assertThat(parsed.text()).isEqualTo(markdown);
            assertThat(parsed.mediaType()).isEqualTo("text/markdown");
        }

        @Test
        void aByteOrderMarkIsHonoured() {
            byte[] utf16 = "\uFEFFWindows Notepad text".getBytes(StandardCharsets.UTF_16LE);
            assertThat(parser.parse(utf16, "notes.txt").text()).isEqualTo("Windows Notepad text");
            byte[] utf8 = "\uFEFFwith a BOM".getBytes(StandardCharsets.UTF_8);
            assertThat(parser.parse(utf8, "notes.txt").text()).isEqualTo("with a BOM");
        }

        @Test
        void aFiveMegabyteSingleLineIsText() {
            String line = "lorem ipsum dolor sit amet ".repeat(200_000);
            ParsedText parsed = timed("5 MB single line", () -> parse(line, "one-line.txt"));
            assertThat(parsed.text()).hasSize(line.length()).isEqualTo(line);
        }

        @Test
        void aFiftyMegabyteLogDumpIsTooLargeForTheDefaultLimitAndParsesUnderAHigherOne() {
            byte[] dump = HostileCorpus.logDump(50 * 1024 * 1024);
            assertFailure(() -> parser.parse(dump, "server.log"), "too_large", "20000000 characters");

            try (DocumentParser generous = new DocumentParser(settings(60_000_000, DataSize.ofMegabytes(256),
                    Duration.ofSeconds(30)))) {
                ParsedText parsed = timed("50 MB log dump", () -> generous.parse(dump, "server.log"));
                assertThat(parsed.text()).hasSize(dump.length).startsWith("2026-11-28T02:00:00.000Z INFO");
                assertThat(parsed.mediaType()).isEqualTo("text/x-log");
            }
        }

        @Test
        void binaryNoiseNamedTxtIsNotText() {
            assertFailure(() -> parser.parse(HostileCorpus.noise(64 * 1024, 42), "notes.txt"),
                    "unsupported_type", "application/octet-stream");
        }

        @Test
        void anEmptyFileHasNoContent() {
            assertFailure(() -> parser.parse(new byte[0], "empty.txt"), "empty_content", "empty");
            assertFailure(() -> parse(" \n\t\n", "blank.md"), "empty_content", "no text");
        }

        @Test
        void invalidUtf8IsAParseErrorNotAGuess() {
            byte[] latin1 = "Na\u00efve caf\u00e9 text".getBytes(StandardCharsets.ISO_8859_1);
            assertFailure(() -> parser.parse(latin1, "legacy.txt"), "parse_error", "not valid UTF-8",
                    "byte offset 2");
            byte[] cyrillic = "Привет, мир! Это текст в кодировке windows-1251.".getBytes(
                    java.nio.charset.Charset.forName("windows-1251"));
            assertFailure(() -> parser.parse(cyrillic, "legacy.txt"), "parse_error", "not valid UTF-8");
            byte[] mostlyAscii = ("A long enough English text that mentions a caf\u00e9 only once, so Tika "
                    + "calls it text/plain.").getBytes(StandardCharsets.ISO_8859_1);
            assertFailure(() -> parser.parse(mostlyAscii, "legacy.txt"), "parse_error", "not valid UTF-8");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Html {

        @Test
        void aPageLosesItsScriptsAndStyles() {
            String html = "<!DOCTYPE html><html><head><title>Caravan</title>"
                    + "<style>body { color: red; }</style><script>var secret = 'do-not-index';</script></head>"
                    + "<body><h1>Heading</h1><p>A paragraph with <b>bold</b> text.</p>"
                    + "<script>document.write('also-not');</script></body></html>";
            ParsedText parsed = parse(html, "page.html");
            assertThat(parsed.mediaType()).isEqualTo("text/html");
            assertThat(parsed.text()).contains("Heading", "A paragraph with bold text.")
                    .doesNotContain("do-not-index", "also-not", "color");
        }

        @Test
        void anAllScriptPageHasNoContent() {
            String html = "<html><head><script>var a = 1; function f() { return a; }</script>"
                    + "<style>p { margin: 0 }</style></head><body><script>f();</script></body></html>";
            assertFailure(() -> parse(html, "app.html"), "empty_content", "text/html");
        }

        @Test
        void textBeyondTheLimitIsTooLarge() {
            String html = "<html><body>" + "<p>Twenty characters.</p>".repeat(10) + "</body></html>";
            try (DocumentParser strict = new DocumentParser(settings(100, DataSize.ofMegabytes(256),
                    Duration.ofSeconds(30)))) {
                assertFailure(() -> strict.parse(html.getBytes(StandardCharsets.UTF_8), "page.html"), "too_large",
                        "100 characters");
            }
        }

        @Test
        void aLargePageIsParsedInAWorker() {
            String html = "<html><body>" + "<p>Paragraph of a long page.</p>\n".repeat(100_000) + "</body></html>";
            assertThat(html.length()).isGreaterThan(2 * 1024 * 1024);
            ParsedText parsed = timed("3.3 MB HTML in a worker", () -> parse(html, "long.html"));
            assertThat(parsed.text()).contains("Paragraph of a long page.");
            assertThat(parsed.mediaType()).isEqualTo("text/html");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Pdf {

        @Test
        void aValidPdf() {
            byte[] pdf = HostileCorpus.handWrittenPdf("Hello from a hand-written PDF");
            ParsedText parsed = timed("valid PDF (first, may start a worker)", () -> parser.parse(pdf, "hello.pdf"));
            assertThat(parsed.text()).contains("Hello from a hand-written PDF");
            assertThat(parsed.mediaType()).isEqualTo("application/pdf");
            timed("valid PDF (warm worker)", () -> parser.parse(pdf, "hello.pdf"));
        }

        @Test
        void theNameDoesNotMatter() {
            byte[] pdf = HostileCorpus.handWrittenPdf("Named as text");
            assertThat(parser.parse(pdf, "misnamed.txt").mediaType()).isEqualTo("application/pdf");
        }

        @Test
        void aCorruptPdfIsAParseError() {
            assertFailure(() -> parser.parse(HostileCorpus.corruptPdf(), "broken.pdf"), "parse_error",
                    "application/pdf");
        }

        @Test
        void anEncryptedPdfIsAParseError() {
            assertFailure(() -> parser.parse(HostileCorpus.encryptedPdf("secret text"), "locked.pdf"),
                    "parse_error", "encrypted");
        }

        @Test
        void aZipBombNamedPdfIsUnsupported() {
            byte[] bomb = HostileCorpus.zipBomb(3L << 30);
            assertFailure(() -> parser.parse(bomb, "report.pdf"), "unsupported_type", "application/zip");
            assertGoodPdfStillParses();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Docx {

        @Test
        void aValidDocx() {
            byte[] docx = HostileCorpus.docx("First paragraph of the report.", "Zweiter Absatz.");
            ParsedText parsed = timed("valid DOCX", () -> parser.parse(docx, "report.docx"));
            assertThat(parsed.text()).contains("First paragraph of the report.", "Zweiter Absatz.");
            assertThat(parsed.mediaType()).isEqualTo(DOCX_TYPE);
        }

        @Test
        void anEncryptedDocxIsAParseError() {
            assertFailure(() -> parser.parse(HostileCorpus.encryptedDocx("secret"), "locked.docx"),
                    "parse_error", "encrypted");
        }

        @Test
        void aGigabyteDocxBombIsTooLarge() {
            byte[] bomb = HostileCorpus.docxBomb(2L << 30);
            assertThat(bomb.length).isLessThan(10 * 1024 * 1024);
            assertFailure(() -> parser.parse(bomb, "bomb.docx"), "too_large", DOCX_TYPE);
            assertGoodDocxStillParses();
        }

        /** Small enough to pass POI's own size guards: only the child's heap stops it. */
        @Test
        void aDocxBombThatExhaustsTheHeapOnlyCostsTheWorker() {
            byte[] bomb = HostileCorpus.docxBomb(80L << 20);
            assertFailure(() -> parser.parse(bomb, "bomb.docx"), "too_large", "256 MB of memory");
            assertGoodDocxStillParses();
            assertGoodPdfStillParses();
        }

        @Test
        void aParseThatRunsOutOfTimeIsStopped() {
            byte[] bomb = HostileCorpus.docxBomb(80L << 20);
            try (DocumentParser impatient = new DocumentParser(settings(20_000_000, DataSize.ofMegabytes(256),
                    Duration.ofMillis(200)))) {
                assertFailure(() -> impatient.parse(bomb, "bomb.docx"), "parse_error", "did not finish within 200 ms");
            }
        }

        /** A tenant's own limit (limits.parseTimeout) bounds its document instead of the hub's default. */
        @Test
        void aParseTimeLimitGivenWithTheDocumentIsItsOwn() {
            byte[] slow = HostileCorpus.slowDocx("Read at leisure");
            assertFailure(() -> parser.parse(slow, "slow.docx", Duration.ofMillis(1)), "parse_error",
                    "did not finish within 1 ms");
            assertThat(parser.parse(slow, "slow.docx", Duration.ofSeconds(30)).text()).contains("Read at leisure");
            assertThat(parser.parse(slow, "slow.docx", null).text()).contains("Read at leisure");
        }
    }

    private void assertGoodPdfStillParses() {
        assertThat(parser.parse(HostileCorpus.handWrittenPdf("Still here"), "after.pdf").text()).contains("Still here");
    }

    private void assertGoodDocxStillParses() {
        assertThat(parser.parse(HostileCorpus.docx("Still standing"), "after.docx").text()).contains("Still standing");
    }

    private ParsedText parse(String text, String fileName) {
        return parser.parse(text.getBytes(StandardCharsets.UTF_8), fileName);
    }

    private static ParseSettings settings(int maxChars, DataSize heap, Duration timeout) {
        ParseSettings defaults = ParseSettings.defaults();
        return new ParseSettings(maxChars, heap, timeout, defaults.workerStartTimeout(), 1,
                defaults.maxDocumentsPerWorker(), defaults.workerIdleTimeout(), defaults.inProcessHtmlMaxBytes());
    }

    private static void assertFailure(ThrowingCallable call, String reason, String... messageParts) {
        long start = System.nanoTime();
        IngestFailure failure = catchThrowableOfType(IngestFailure.class, call);
        System.out.printf("%s after %d ms: %s%n", reason, (System.nanoTime() - start) / 1_000_000,
                failure == null ? "no failure" : failure.getMessage());
        assertThat(failure).as("an IngestFailure").isNotNull();
        assertThat(failure.stage()).isEqualTo("parse");
        assertThat(failure.reason()).as(failure.getMessage()).isEqualTo(reason);
        assertThat(failure.permanent()).isTrue();
        assertThat(failure.getMessage()).contains(messageParts);
    }

    private static <T> T timed(String what, Supplier<T> work) {
        long start = System.nanoTime();
        T result = work.get();
        System.out.printf("%s: %d ms%n", what, (System.nanoTime() - start) / 1_000_000);
        return result;
    }
}
