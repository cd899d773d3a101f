package io.caravan.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caravan.config.CaravanProperties;
import io.caravan.config.DataDirectory;
import io.caravan.tenancy.MissingTenantException;
import io.caravan.tenancy.TenantId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedVectorStoreTest {

    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final float[] X = {1, 0, 0};
    private static final float[] Y = {0, 1, 0};
    private static final float[] Z = {0, 0, 1};

    @TempDir
    Path dataDir;

    private EmbeddedVectorStore store;

    @BeforeEach
    void openStore() {
        store = open();
    }

    private EmbeddedVectorStore open() {
        return new EmbeddedVectorStore(new DataDirectory(new CaravanProperties(dataDir, null, null, false)));
    }

    private Path log(TenantId tenant) {
        return dataDir.resolve("vectors").resolve(tenant.value()).resolve("chunks.log");
    }

    private static VectorChunk chunk(String documentId, int index, String text, float[] vector) {
        return new VectorChunk(documentId + "-" + index, documentId, index, "title of " + documentId, "upload",
                "https://example.test/" + documentId, text, vector);
    }

    private static List<String> texts(List<VectorMatch> matches) {
        return matches.stream().map(m -> m.chunk().text()).toList();
    }

    // ---- fail closed -------------------------------------------------------------------------------------

    @Test
    void everyMethodWithoutTenantThrows() {
        List<ThrowingCallable> calls = List.of(
                () -> store.replaceDocument(null, "d1", List.of(chunk("d1", 0, "text", X))),
                () -> store.search(null, X, 5),
                () -> store.deleteDocument(null, "d1"),
                () -> store.deleteTenant(null),
                () -> store.countChunks(null));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(MissingTenantException.class);
        }
        // nothing was written for anyone
        assertThat(dataDir.resolve("vectors")).satisfiesAnyOf(
                dir -> assertThat(dir).doesNotExist(),
                dir -> assertThat(dir).isEmptyDirectory());
    }

    // ---- isolation ---------------------------------------------------------------------------------------

    @Test
    void tenantsNeverSeeEachOthersChunksEvenWithIdenticalVectors() {
        store.replaceDocument(ACME, "doc-a", List.of(chunk("doc-a", 0, "acme only text", X),
                chunk("doc-a", 1, "acme other text", Y)));
        store.replaceDocument(GLOBEX, "doc-b", List.of(chunk("doc-b", 0, "globex only text", X)));
        // same document id in both tenants: still two separate documents
        store.replaceDocument(GLOBEX, "doc-a", List.of(chunk("doc-a", 0, "globex doc-a text", X)));

        List<VectorMatch> forAcme = store.search(ACME, X, 10);
        assertThat(texts(forAcme)).containsExactly("acme only text", "acme other text");
        assertThat(forAcme.get(0).score()).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-9));

        List<VectorMatch> forGlobex = store.search(GLOBEX, X, 10);
        assertThat(texts(forGlobex)).containsExactlyInAnyOrder("globex only text", "globex doc-a text");

        assertThat(store.countChunks(ACME)).isEqualTo(2);
        assertThat(store.countChunks(GLOBEX)).isEqualTo(2);
        assertThat(store.deleteDocument(ACME, "doc-b")).isZero();
        assertThat(store.countChunks(GLOBEX)).isEqualTo(2);
    }

    @Test
    void eachTenantHasItsOwnDirectoryAndLog() throws IOException {
        store.replaceDocument(ACME, "doc-a", List.of(chunk("doc-a", 0, "acme secret words", X)));
        store.replaceDocument(GLOBEX, "doc-b", List.of(chunk("doc-b", 0, "globex secret words", X)));

        assertThat(log(ACME)).isRegularFile();
        assertThat(log(GLOBEX)).isRegularFile();
        String acmeBytes = Files.readString(log(ACME), StandardCharsets.ISO_8859_1);
        String globexBytes = Files.readString(log(GLOBEX), StandardCharsets.ISO_8859_1);
        assertThat(acmeBytes).contains("acme secret words").doesNotContain("globex");
        assertThat(globexBytes).contains("globex secret words").doesNotContain("acme");
        try (var dirs = Files.list(dataDir.resolve("vectors"))) {
            assertThat(dirs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("acme", "globex");
        }
    }

    @Test
    void chunkStampedWithAnotherTenantIsRefusedOnRead() throws IOException {
        store.replaceDocument(ACME, "doc-a", List.of(chunk("doc-a", 0, "acme text", X)));
        // a misplaced file: acme's log ends up in globex's directory
        Files.createDirectories(log(GLOBEX).getParent());
        Files.copy(log(ACME), log(GLOBEX), StandardCopyOption.REPLACE_EXISTING);

        EmbeddedVectorStore reopened = open();
        assertThatThrownBy(() -> reopened.search(GLOBEX, X, 5))
                .isInstanceOf(IsolationViolationException.class)
                .hasMessageContaining("acme").hasMessageContaining("globex");
        // acme itself is unaffected
        assertThat(texts(reopened.search(ACME, X, 5))).containsExactly("acme text");
    }

    // ---- writes ------------------------------------------------------------------------------------------

    @Test
    void appendingNeverRewritesWhatIsAlreadyOnDisk() throws IOException {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "first", X)));
        byte[] afterFirst = Files.readAllBytes(log(ACME));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "second", Y), chunk("doc-2", 1, "third", Z)));
        byte[] afterSecond = Files.readAllBytes(log(ACME));
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "first again", X)));
        store.deleteDocument(ACME, "doc-2");
        byte[] afterAll = Files.readAllBytes(log(ACME));

        assertThat(afterSecond.length).isGreaterThan(afterFirst.length);
        assertThat(Arrays.copyOf(afterSecond, afterFirst.length)).isEqualTo(afterFirst);
        assertThat(afterAll.length).isGreaterThan(afterSecond.length);
        assertThat(Arrays.copyOf(afterAll, afterSecond.length)).isEqualTo(afterSecond);
    }

    @Test
    void replaceDocumentLeavesNoStaleChunks() {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "old zero", X), chunk("doc-1", 1, "old one", Y),
                chunk("doc-1", 2, "old two", Z)));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "other doc", Y)));
        assertThat(store.countChunks(ACME)).isEqualTo(4);

        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "new zero", Z)));

        assertThat(store.countChunks(ACME)).isEqualTo(2);
        assertThat(texts(store.search(ACME, X, 10))).containsExactlyInAnyOrder("new zero", "other doc");
        assertThat(texts(open().search(ACME, X, 10))).containsExactlyInAnyOrder("new zero", "other doc");
    }

    @Test
    void deleteDocumentReportsHowManyChunksItRemoved() {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "a", X), chunk("doc-1", 1, "b", Y)));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "c", Z)));

        assertThat(store.deleteDocument(ACME, "doc-1")).isEqualTo(2);
        assertThat(store.deleteDocument(ACME, "doc-1")).isZero();
        assertThat(store.deleteDocument(ACME, "never-there")).isZero();
        assertThat(store.countChunks(ACME)).isEqualTo(1);
        assertThat(texts(store.search(ACME, X, 10))).containsExactly("c");
        // the deletion is durable
        EmbeddedVectorStore reopened = open();
        assertThat(reopened.countChunks(ACME)).isEqualTo(1);
        assertThat(reopened.deleteDocument(ACME, "doc-1")).isZero();
    }

    @Test
    void deleteTenantRemovesItsStoreOnlyAndReportsTheCount() {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "a", X), chunk("doc-1", 1, "b", Y)));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "c", Z)));
        store.replaceDocument(GLOBEX, "doc-1", List.of(chunk("doc-1", 0, "g", X)));

        assertThat(store.deleteTenant(ACME)).isEqualTo(3);

        assertThat(log(ACME).getParent()).doesNotExist();
        assertThat(store.countChunks(ACME)).isZero();
        assertThat(store.search(ACME, X, 10)).isEmpty();
        assertThat(texts(store.search(GLOBEX, X, 10))).containsExactly("g");
        assertThat(store.deleteTenant(ACME)).isZero();
        assertThat(open().countChunks(ACME)).isZero();
    }

    @Test
    void deleteTenantCountsAStoreThatWasNotLoadedYet() {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "a", X), chunk("doc-1", 1, "b", Y)));

        EmbeddedVectorStore reopened = open();
        assertThat(reopened.deleteTenant(ACME)).isEqualTo(2);
        assertThat(log(ACME).getParent()).doesNotExist();
    }

    @Test
    void searchRanksByCosineAndHonoursTopK() {
        store.replaceDocument(ACME, "doc-1", List.of(
                chunk("doc-1", 0, "exact", new float[] {2, 0, 0}),
                chunk("doc-1", 1, "close", new float[] {1, 0.2f, 0}),
                chunk("doc-1", 2, "far", new float[] {0, 1, 0}),
                chunk("doc-1", 3, "opposite", new float[] {-1, 0, 0})));

        List<VectorMatch> top2 = store.search(ACME, X, 2);
        assertThat(texts(top2)).containsExactly("exact", "close");
        assertThat(top2.get(0).score()).isGreaterThan(top2.get(1).score());
        assertThat(texts(store.search(ACME, X, 10))).containsExactly("exact", "close", "far", "opposite");
    }

    // ---- durability --------------------------------------------------------------------------------------

    @Test
    void reopenedStoreReturnsTheSameResults() {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "zero", X), chunk("doc-1", 1, "one", Y)));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "two", new float[] {0.7f, 0.7f, 0})));
        store.replaceDocument(GLOBEX, "doc-3", List.of(chunk("doc-3", 0, "three", X)));
        List<VectorMatch> before = store.search(ACME, new float[] {0.9f, 0.3f, 0.1f}, 10);

        EmbeddedVectorStore reopened = open();
        List<VectorMatch> after = reopened.search(ACME, new float[] {0.9f, 0.3f, 0.1f}, 10);

        assertThat(after).hasSameSizeAs(before).hasSize(3);
        for (int i = 0; i < before.size(); i++) {
            VectorChunk b = before.get(i).chunk();
            VectorChunk a = after.get(i).chunk();
            assertThat(a.chunkId()).isEqualTo(b.chunkId());
            assertThat(a.documentId()).isEqualTo(b.documentId());
            assertThat(a.index()).isEqualTo(b.index());
            assertThat(a.title()).isEqualTo(b.title());
            assertThat(a.sourceType()).isEqualTo(b.sourceType());
            assertThat(a.sourceUri()).isEqualTo(b.sourceUri());
            assertThat(a.text()).isEqualTo(b.text());
            assertThat(a.vector()).containsExactly(b.vector());
            assertThat(after.get(i).score()).isEqualTo(before.get(i).score());
        }
        assertThat(reopened.countChunks(GLOBEX)).isEqualTo(1);
    }

    @Test
    void nullSourceUriAndUnicodeSurviveAReload() {
        VectorChunk odd = new VectorChunk("c-0", "doc-1", 0, "Grüße 🚀", "upload", null, "naïve café — 日本語", X);
        store.replaceDocument(ACME, "doc-1", List.of(odd));

        VectorChunk loaded = open().search(ACME, X, 1).get(0).chunk();
        assertThat(loaded.sourceUri()).isNull();
        assertThat(loaded.title()).isEqualTo("Grüße 🚀");
        assertThat(loaded.text()).isEqualTo("naïve café — 日本語");
    }

    @Test
    void garbageTailIsCutOffAndEarlierRecordsSurvive() throws IOException {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "one", X)));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "two", Y)));
        long goodSize = Files.size(log(ACME));
        Files.write(log(ACME), "half-written garbage".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

        EmbeddedVectorStore reopened = open();
        assertThat(texts(reopened.search(ACME, X, 10))).containsExactly("one", "two");
        assertThat(Files.size(log(ACME))).isEqualTo(goodSize);

        reopened.replaceDocument(ACME, "doc-3", List.of(chunk("doc-3", 0, "three", Z)));
        assertThat(texts(open().search(ACME, Z, 10))).containsExactly("three", "one", "two");
    }

    @Test
    void truncatedLastRecordIsDroppedAndLaterAppendsWork() throws IOException {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "one", X)));
        long firstRecordEnd = Files.size(log(ACME));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "two", Y), chunk("doc-2", 1, "two b", Z)));
        long fullSize = Files.size(log(ACME));
        try (FileChannel channel = FileChannel.open(log(ACME), StandardOpenOption.WRITE)) {
            channel.truncate(fullSize - 3); // a crash before the checksum was fully written
        }

        EmbeddedVectorStore reopened = open();
        assertThat(reopened.countChunks(ACME)).isEqualTo(1);
        assertThat(texts(reopened.search(ACME, X, 10))).containsExactly("one");
        assertThat(Files.size(log(ACME))).isEqualTo(firstRecordEnd);

        reopened.replaceDocument(ACME, "doc-4", List.of(chunk("doc-4", 0, "four", Y)));
        EmbeddedVectorStore again = open();
        assertThat(again.countChunks(ACME)).isEqualTo(2);
        assertThat(texts(again.search(ACME, Y, 10))).containsExactly("four", "one");
    }

    @Test
    void corruptedChecksumOfTheLastRecordIsTreatedAsATornTail() throws IOException {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "one", X)));
        long firstRecordEnd = Files.size(log(ACME));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "two", Y)));
        byte[] bytes = Files.readAllBytes(log(ACME));
        bytes[bytes.length - 6] ^= 0x5A; // flip bits inside the last record's payload
        Files.write(log(ACME), bytes);

        EmbeddedVectorStore reopened = open();
        assertThat(texts(reopened.search(ACME, X, 10))).containsExactly("one");
        assertThat(Files.size(log(ACME))).isEqualTo(firstRecordEnd);
    }

    /**
     * A record damaged inside the log (the disk, not a crash: records follow it) costs that record only; the
     * documents written after it survive, the damaged bytes stay, and appending goes on.
     */
    @Test
    void aRecordDamagedInsideTheLogIsSkippedAndTheRecordsAfterItSurvive() throws IOException {
        store.replaceDocument(ACME, "doc-1", List.of(chunk("doc-1", 0, "one", X)));
        long secondRecordStart = Files.size(log(ACME));
        store.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "two", Y)));
        long secondRecordEnd = Files.size(log(ACME));
        store.replaceDocument(ACME, "doc-3", List.of(chunk("doc-3", 0, "three", Z)));
        byte[] bytes = Files.readAllBytes(log(ACME));
        bytes[(int) (secondRecordStart + secondRecordEnd) / 2] ^= 0x5A; // inside the second record's payload
        Files.write(log(ACME), bytes);

        EmbeddedVectorStore reopened = open();
        assertThat(texts(reopened.search(ACME, X, 10))).containsExactlyInAnyOrder("one", "three");
        assertThat(Files.size(log(ACME))).isEqualTo(bytes.length);

        reopened.replaceDocument(ACME, "doc-2", List.of(chunk("doc-2", 0, "two again", Y)));
        assertThat(texts(open().search(ACME, Y, 10))).containsExactlyInAnyOrder("one", "two again", "three");
    }

    @Test
    void manyDocumentsRoundTrip() {
        IntStream.range(0, 50).forEach(i -> store.replaceDocument(ACME, "doc-" + i,
                List.of(chunk("doc-" + i, 0, "text " + i, new float[] {i, 1, 0}))));
        IntStream.range(0, 50).filter(i -> i % 2 == 0).forEach(i -> store.deleteDocument(ACME, "doc-" + i));

        assertThat(open().countChunks(ACME)).isEqualTo(25);
        assertThat(open().search(ACME, X, 1).get(0).chunk().text()).isEqualTo("text 49");
    }
}
