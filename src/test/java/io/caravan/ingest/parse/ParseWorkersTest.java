package io.caravan.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** The child JVMs' life cycle: reused while healthy, replaced after their quota, gone after close. */
class ParseWorkersTest {

    private static final byte[] PDF = HostileCorpus.handWrittenPdf("Pooled");

    @Test
    void aWorkerServesManyDocumentsAndStopsWithTheParser() throws Exception {
        Set<ProcessHandle> before = workers();
        DocumentParser parser = new DocumentParser(settings(200, ParseSettings.defaults().inProcessHtmlMaxBytes()));
        try {
            parser.parse(PDF, "a.pdf");
            Set<ProcessHandle> started = difference(workers(), before);
            parser.parse(PDF, "b.pdf");
            parser.parse(HostileCorpus.docx("Pooled"), "c.docx");
            assertThat(started).hasSize(1);
            assertThat(difference(workers(), before)).isEqualTo(started);
            assertThat(environmentNames(started.iterator().next())).as("what the child inherits")
                    .isSubsetOf("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR");
        } finally {
            parser.close();
        }
        for (ProcessHandle worker : difference(workers(), before)) {
            worker.onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(difference(workers(), before)).isEmpty();
    }

    @Test
    void aWorkerIsReplacedAfterItsQuota() {
        Set<ProcessHandle> before = workers();
        // all HTML goes to workers here: the cheapest document a worker parses
        byte[] html = "<p>Pooled</p>".getBytes(StandardCharsets.UTF_8);
        try (DocumentParser parser = new DocumentParser(settings(1, DataSize.ofBytes(0)))) {
            parser.parse(html, "a.html");
            Set<ProcessHandle> first = difference(workers(), before);
            parser.parse(html, "b.html");
            Set<ProcessHandle> second = difference(workers(), before);
            assertThat(first).hasSize(1);
            assertThat(second).hasSize(1).doesNotContainAnyElementsOf(first);
        }
    }

    private static Set<String> environmentNames(ProcessHandle process) throws IOException {
        Path environ = Path.of("/proc", Long.toString(process.pid()), "environ");
        assumeTrue(Files.isReadable(environ), "Linux /proc");
        return Arrays.stream(Files.readString(environ).split("\0")).filter(entry -> !entry.isEmpty())
                .map(entry -> entry.substring(0, entry.indexOf('='))).collect(Collectors.toSet());
    }

    /** This JVM's live child processes: the parse workers of every parser in it. */
    private static Set<ProcessHandle> workers() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).collect(Collectors.toSet());
    }

    private static Set<ProcessHandle> difference(Set<ProcessHandle> now, Set<ProcessHandle> before) {
        return now.stream().filter(handle -> !before.contains(handle)).collect(Collectors.toSet());
    }

    private static ParseSettings settings(int maxDocumentsPerWorker, DataSize inProcessHtmlMaxBytes) {
        ParseSettings defaults = ParseSettings.defaults();
        return new ParseSettings(defaults.maxChars(), DataSize.ofMegabytes(128), Duration.ofSeconds(30),
                defaults.workerStartTimeout(), 1, maxDocumentsPerWorker, defaults.workerIdleTimeout(),
                inProcessHtmlMaxBytes);
    }
}
