package io.caravan.embedding;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.List;
import org.springframework.stereotype.Component;

/** The in-process all-MiniLM-L6-v2 (quantized) model. Inputs must fit {@link #MAX_TOKENS}. */
@Component
public class TextEmbedder {

    public static final String MODEL = "all-minilm-l6-v2-q";
    /** The model's window including [CLS] and [SEP]; longer input would be cut off silently. */
    public static final int MAX_TOKENS = 128;

    private final EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();

    public float[] embed(String text) {
        return model.embed(text).content().vector();
    }

    public List<float[]> embedAll(List<String> texts) {
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        return model.embedAll(segments).content().stream().map(Embedding::vector).toList();
    }

    public String modelName() {
        return MODEL;
    }
}
