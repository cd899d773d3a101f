package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import org.apache.tika.mime.MediaType;

/**
 * Entry point of the child JVM that parses PDF, DOCX and large HTML. It answers requests one at a time on
 * stdin/stdout until stdin closes. Its heap is small and {@code -XX:+ExitOnOutOfMemoryError} is set, so a
 * bomb ends this process (exit code 3), never the hub; the hub kills it when a parse takes too long.
 */
public final class ParseWorker {

    private ParseWorker() {
    }

    public static void main(String[] args) {
        // stdout carries the protocol: anything a library prints must go to stderr instead
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
                64 * 1024));
        System.setOut(System.err);
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/caravan/ingest/parse/worker-logback.xml");
        }
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in),
                64 * 1024));
        try {
            DocumentExtractor extractor = new DocumentExtractor();
            WorkerProtocol.writeReady(out);
            WorkerProtocol.Request request;
            while ((request = WorkerProtocol.readRequest(in)) != null) {
                answer(extractor, request, out);
            }
            System.exit(0);
        } catch (IOException e) {
            // the hub went away mid-conversation: nobody is waiting for an answer
            System.err.println("parse worker: " + e);
            System.exit(1);
        }
    }

    private static void answer(DocumentExtractor extractor, WorkerProtocol.Request request, DataOutputStream out)
            throws IOException {
        try {
            ParsedText parsed = request.htmlType() != null
                    ? extractor.html(request.content(), MediaType.parse(request.htmlType()), request.maxChars())
                    : extractor.document(request.content(), request.maxChars());
            WorkerProtocol.writeText(out, parsed);
        } catch (IngestFailure failure) {
            WorkerProtocol.writeFailure(out, failure);
        } catch (RuntimeException | StackOverflowError e) {
            // what the extractor did not map (parsers map their own exceptions): a bug, or deep recursion
            WorkerProtocol.writeFailure(out, new IngestFailure(Failures.STAGE, "parse_error", true,
                    "the parser failed on this document: " + e.getClass().getSimpleName()));
            if (e instanceof Error) {
                System.exit(2); // the parser's state is not trustworthy any more; the hub starts a fresh one
            }
        }
    }
}
