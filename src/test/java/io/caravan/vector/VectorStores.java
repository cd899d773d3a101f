package io.caravan.vector;

import io.caravan.config.CaravanProperties;
import io.caravan.config.DataDirectory;
import java.nio.file.Path;

/** Opens a stopped hub's embedded vector store, for tests that inspect what a real process left on disk. */
public final class VectorStores {

    private VectorStores() {
    }

    public static TenantVectorStore embeddedAt(Path dataDir) {
        return new EmbeddedVectorStore(new DataDirectory(new CaravanProperties(dataDir, null, null, false)));
    }
}
