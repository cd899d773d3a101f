package io.caravan.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A parse worker is shared by the documents of every tenant: what it prints never reaches a tenant. */
class WorkerProcessTest {

    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        watchdog.shutdownNow();
    }

    @Test
    void aCrashedWorkersOutputIsNotInTheFailureOfTheDocumentItCrashedOn() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        WorkerProcess worker = WorkerProcess.start(List.of(java, "-cp", System.getProperty("java.class.path"),
                ChattyWorker.class.getName()), Duration.ofSeconds(30), watchdog);
        try {
            // one tenant's document: parsed, with a warning naming what was in it
            ParsedText first = worker.parse(request("tenant A's quarterly figures"), Duration.ofSeconds(30));
            assertThat(first.text()).isEqualTo("tenant A's quarterly figures");
            // the next document, another tenant's: the worker dies on it
            assertThatThrownBy(() -> worker.parse(request("crash"), Duration.ofSeconds(30)))
                    .isInstanceOf(WorkerProcess.Death.class)
                    .hasMessageContaining("exit code 7")
                    .hasMessageNotContaining("quarterly")
                    .hasMessageNotContaining("warning");
        } finally {
            worker.destroy();
        }
    }

    private static WorkerProtocol.Request request(String text) {
        return new WorkerProtocol.Request(text.getBytes(StandardCharsets.UTF_8), null, 10_000);
    }

    /** A worker that speaks the protocol, warns on stderr about each document, and dies on "crash". */
    public static final class ChattyWorker {

        public static void main(String[] args) throws IOException {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(System.out));
            DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
            WorkerProtocol.writeReady(out);
            for (WorkerProtocol.Request request; (request = WorkerProtocol.readRequest(in)) != null; ) {
                String text = new String(request.content(), StandardCharsets.UTF_8);
                if (text.equals("crash")) {
                    System.exit(7);
                }
                System.err.println("warning: odd font in '" + text + "'");
                System.err.flush();
                WorkerProtocol.writeText(out, new ParsedText(text, "text/plain"));
            }
        }
    }
}
