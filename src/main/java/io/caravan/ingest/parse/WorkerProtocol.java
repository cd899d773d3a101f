package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Frames exchanged with a {@link ParseWorker} over its stdin and stdout. Every answer starts with a magic
 * number, so stray output on the child's stdout is caught as a protocol error instead of being read as text.
 */
final class WorkerProtocol {

    private static final int MAGIC = 0x43525657; // "CRVW"
    private static final byte READY = 1;
    private static final byte TEXT = 2;
    private static final byte FAILURE = 3;
    private static final int MAX_MESSAGE_CHARS = 2_000;

    /** What the hub asks: parse these bytes; {@code htmlType} set when the hub already decided it is HTML. */
    record Request(byte[] content, String htmlType, int maxChars) {
    }

    private WorkerProtocol() {
    }

    static void writeReady(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(READY);
        out.flush();
    }

    static void readReady(DataInputStream in) throws IOException {
        expect(in, READY);
    }

    static void writeRequest(DataOutputStream out, Request request) throws IOException {
        out.writeInt(MAGIC);
        out.writeUTF(request.htmlType() == null ? "" : request.htmlType());
        out.writeInt(request.maxChars());
        out.writeInt(request.content().length);
        out.write(request.content());
        out.flush();
    }

    /** The next request, or null when the hub closed the stream (it stopped or died): time to exit. */
    static Request readRequest(DataInputStream in) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (magic != MAGIC) {
            throw new IOException("not a parse request");
        }
        String htmlType = in.readUTF();
        int maxChars = in.readInt();
        byte[] content = new byte[in.readInt()];
        in.readFully(content);
        return new Request(content, htmlType.isEmpty() ? null : htmlType, maxChars);
    }

    static void writeText(DataOutputStream out, ParsedText parsed) throws IOException {
        byte[] text = parsed.text().getBytes(StandardCharsets.UTF_8);
        out.writeInt(MAGIC);
        out.writeByte(TEXT);
        out.writeUTF(parsed.mediaType());
        out.writeInt(text.length);
        out.write(text);
        out.flush();
    }

    static void writeFailure(DataOutputStream out, IngestFailure failure) throws IOException {
        String message = String.valueOf(failure.getMessage());
        out.writeInt(MAGIC);
        out.writeByte(FAILURE);
        out.writeUTF(failure.reason());
        out.writeBoolean(failure.permanent());
        out.writeUTF(message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) : message);
        out.flush();
    }

    /**
     * The child's answer: the text, or the child's own failure rethrown in the hub. Text longer than
     * {@code maxTextBytes} cannot come from a well-behaved worker and is a protocol error.
     */
    static ParsedText readAnswer(DataInputStream in, long maxTextBytes) throws IOException {
        byte kind = expect(in, TEXT, FAILURE);
        if (kind == FAILURE) {
            String reason = in.readUTF();
            boolean permanent = in.readBoolean();
            throw new IngestFailure(Failures.STAGE, reason, permanent, in.readUTF());
        }
        String mediaType = in.readUTF();
        int length = in.readInt();
        if (length < 0 || length > maxTextBytes) {
            throw new IOException("the parse worker answered " + length + " bytes of text");
        }
        byte[] text = new byte[length];
        in.readFully(text);
        return new ParsedText(new String(text, StandardCharsets.UTF_8), mediaType);
    }

    private static byte expect(DataInputStream in, byte... kinds) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("the parse worker wrote something that is not a protocol frame");
        }
        byte kind = in.readByte();
        for (byte expected : kinds) {
            if (kind == expected) {
                return kind;
            }
        }
        throw new IOException("unexpected frame " + kind + " from the parse worker");
    }
}
