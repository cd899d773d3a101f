package io.caravan.vector;

import io.caravan.config.DataDirectory;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.FileSystemUtils;

/**
 * Embedded vector store: one append-only log per tenant under {@code <data dir>/vectors/<tenant>/}, loaded
 * into memory on first use and searched exhaustively. Each write is one checksummed record (a document's
 * chunks replace its previous ones in a single record), so a crash mid-write leaves at most a torn tail,
 * which is cut off on the next load; appending never rewrites the index. A record damaged inside the log (its
 * checksum fails, records follow it) is skipped and logged; the records after it still count.
 */
class EmbeddedVectorStore implements TenantVectorStore {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedVectorStore.class);
    private static final int FORMAT = 1;
    private static final byte REPLACE = 1;
    private static final byte DELETE = 2;

    private final Path root;
    private final Map<TenantId, TenantIndex> indexes = new ConcurrentHashMap<>();

    EmbeddedVectorStore(DataDirectory dataDirectory) {
        this.root = dataDirectory.resolve("vectors");
    }

    @Override
    public void replaceDocument(TenantId tenant, String documentId, List<VectorChunk> chunks) {
        index(tenant).replace(documentId, chunks);
    }

    @Override
    public List<VectorMatch> search(TenantId tenant, float[] query, int topK) {
        return index(tenant).search(query, topK);
    }

    @Override
    public int deleteDocument(TenantId tenant, String documentId) {
        return index(tenant).delete(documentId);
    }

    @Override
    public int deleteTenant(TenantId tenant) {
        requireTenant(tenant);
        int[] count = new int[1];
        // atomic with index(): no index of the tenant can be opened from the directory while it is deleted
        indexes.compute(tenant, (id, index) -> {
            count[0] = index == null ? new TenantIndex(id, dir(id)).count() : index.count();
            FileSystemUtils.deleteRecursively(dir(id).toFile());
            return null;
        });
        return count[0];
    }

    @Override
    public int countChunks(TenantId tenant) {
        return index(tenant).count();
    }

    private TenantIndex index(TenantId tenant) {
        requireTenant(tenant);
        return indexes.computeIfAbsent(tenant, t -> new TenantIndex(t, dir(t)));
    }

    private Path dir(TenantId tenant) {
        return root.resolve(tenant.value());
    }

    private static void requireTenant(TenantId tenant) {
        if (tenant == null) {
            throw new MissingTenantException("vector store call");
        }
    }

    /** One tenant's index: its log file and the chunks in memory, by document. */
    private static final class TenantIndex {

        private final TenantId tenant;
        private final Path log;
        private final Map<String, List<StoredChunk>> byDocument = new LinkedHashMap<>();

        TenantIndex(TenantId tenant, Path dir) {
            this.tenant = tenant;
            this.log = dir.resolve("chunks.log");
            try {
                Files.createDirectories(dir);
                load();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open vector index of tenant " + tenant, e);
            }
        }

        synchronized void replace(String documentId, List<VectorChunk> chunks) {
            append(encode(REPLACE, documentId, chunks));
            byDocument.put(documentId, chunks.stream().map(c -> new StoredChunk(tenant.value(), c)).toList());
        }

        synchronized int delete(String documentId) {
            List<StoredChunk> removed = byDocument.get(documentId);
            if (removed == null) {
                return 0;
            }
            append(encode(DELETE, documentId, List.of()));
            byDocument.remove(documentId);
            return removed.size();
        }

        synchronized int count() {
            return byDocument.values().stream().mapToInt(List::size).sum();
        }

        List<VectorMatch> search(float[] query, int topK) {
            List<StoredChunk> snapshot;
            synchronized (this) {
                snapshot = byDocument.values().stream().flatMap(List::stream).toList();
            }
            double queryNorm = vectorNorm(query);
            PriorityQueue<VectorMatch> best = new PriorityQueue<>(Comparator.comparingDouble(VectorMatch::score));
            for (StoredChunk stored : snapshot) {
                if (!tenant.value().equals(stored.tenant())) {
                    throw new IsolationViolationException(tenant, stored.tenant());
                }
                double score = dot(query, stored.chunk().vector()) / (queryNorm * stored.norm());
                best.add(new VectorMatch(stored.chunk(), score));
                if (best.size() > topK) {
                    best.poll();
                }
            }
            List<VectorMatch> result = new ArrayList<>(best);
            result.sort(Comparator.comparingDouble(VectorMatch::score).reversed());
            return result;
        }

        private byte[] encode(byte type, String documentId, List<VectorChunk> chunks) {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(type);
                writeString(out, tenant.value());
                writeString(out, documentId);
                out.writeInt(chunks.size());
                for (VectorChunk chunk : chunks) {
                    writeString(out, chunk.chunkId());
                    out.writeInt(chunk.index());
                    writeString(out, chunk.title());
                    writeString(out, chunk.sourceType());
                    writeString(out, chunk.sourceUri());
                    writeString(out, chunk.text());
                    out.writeInt(chunk.vector().length);
                    for (float v : chunk.vector()) {
                        out.writeFloat(v);
                    }
                }
                out.flush();
                byte[] payload = bytes.toByteArray();
                CRC32 crc = new CRC32();
                crc.update(payload);
                return ByteBuffer.allocate(12 + payload.length)
                        .putInt(FORMAT).putInt(payload.length).put(payload).putInt((int) crc.getValue()).array();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void append(byte[] record) {
            try (FileChannel channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(record);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to vector index of tenant " + tenant, e);
            }
        }

        private void load() throws IOException {
            if (!Files.exists(log)) {
                return;
            }
            long good = 0;
            long size = Files.size(log);
            try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(log)))) {
                while (true) {
                    int format;
                    try {
                        format = in.readInt();
                    } catch (EOFException end) {
                        break;
                    }
                    int length;
                    byte[] payload;
                    int expected;
                    try {
                        length = in.readInt();
                        if (format != FORMAT || length < 0) {
                            break;
                        }
                        payload = in.readNBytes(length);
                        if (payload.length != length) {
                            break;
                        }
                        expected = in.readInt();
                    } catch (EOFException torn) {
                        break;
                    }
                    CRC32 crc = new CRC32();
                    crc.update(payload);
                    if ((int) crc.getValue() != expected) {
                        if (good + 12L + length >= size) {
                            break; // the last record: a torn tail
                        }
                        // damaged inside the log (the disk, not a crash mid-append): only this record is lost, and
                        // the records after it, framed as they are, still count; the bytes stay for inspection
                        LOG.error("Vector index of tenant {}: the record at byte {} ({} bytes, document {}) fails its "
                                + "checksum and is skipped; that document's chunks may be missing or outdated until "
                                + "it is indexed again", tenant, good, length, documentIdOf(payload));
                        good += 12L + length;
                        continue;
                    }
                    apply(payload);
                    good += 12L + length;
                }
            }
            if (good < Files.size(log)) {
                // a torn tail from a crash mid-append: drop it so the next append starts clean
                try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
                    channel.truncate(good);
                }
            }
        }

        /** The document id a damaged record names, as far as it can still be read. */
        private static String documentIdOf(byte[] payload) {
            try {
                DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
                in.readByte();
                readString(in);
                return readString(in);
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        private void apply(byte[] payload) throws IOException {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
            byte type = in.readByte();
            String storedTenant = readString(in);
            String documentId = readString(in);
            int count = in.readInt();
            if (type == DELETE) {
                byDocument.remove(documentId);
                return;
            }
            List<StoredChunk> chunks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String chunkId = readString(in);
                int index = in.readInt();
                String title = readString(in);
                String sourceType = readString(in);
                String sourceUri = readString(in);
                String text = readString(in);
                float[] vector = new float[in.readInt()];
                for (int v = 0; v < vector.length; v++) {
                    vector[v] = in.readFloat();
                }
                chunks.add(new StoredChunk(storedTenant, new VectorChunk(chunkId, documentId, index, title,
                        sourceType, sourceUri, text, vector)));
            }
            byDocument.put(documentId, chunks);
        }

        private static void writeString(DataOutputStream out, String value) throws IOException {
            if (value == null) {
                out.writeInt(-1);
                return;
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        private static String readString(DataInputStream in) throws IOException {
            int length = in.readInt();
            return length < 0 ? null : new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    /** A chunk with the tenant stamp read from disk and its precomputed norm. */
    private record StoredChunk(String tenant, VectorChunk chunk, double norm) {
        StoredChunk(String tenant, VectorChunk chunk) {
            this(tenant, chunk, vectorNorm(chunk.vector()));
        }
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double vectorNorm(float[] v) {
        double n = Math.sqrt(dot(v, v));
        return n == 0 ? 1 : n;
    }

}
