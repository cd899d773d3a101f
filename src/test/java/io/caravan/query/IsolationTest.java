package io.caravan.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.support.HubClient;
import io.caravan.ingest.DocumentRegistry;
import io.caravan.support.HubTest;
import io.caravan.tenancy.TenantId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Two tenants whose corpora answer the same question differently: each tenant's answer and citations come
 * only from its own corpus, and another tenant's document id is simply not found.
 */
@Tag("contract")
@ExtendWith(OutputCaptureExtension.class)
class IsolationTest extends HubTest {

    @Autowired
    private DocumentRegistry registry;

    @Test
    void eachTenantIsAnsweredFromItsOwnCorpusOnly() {
        String acme = newTenant("acme");
        String globex = newTenant("globex");
        String acmeKey = newKey(acme);
        String globexKey = newKey(globex);

        Set<String> acmeDocs = new HashSet<>();
        acmeDocs.add(addText(acmeKey, "Acme refunds", "Acme refunds every purchase within 14 days of the return. "
                + "Refund requests go to the Acme billing desk."));
        acmeDocs.add(addText(acmeKey, "Acme shipping", "Acme ships anvils by rail. Delivery takes a week."));
        Set<String> globexDocs = new HashSet<>();
        globexDocs.add(addText(globexKey, "Globex refunds", "Globex refunds purchases within 90 days, "
                + "but only as store credit. Refund requests go to the Globex front office."));
        globexDocs.add(addText(globexKey, "Globex hours", "Globex offices open at nine and close at five."));
        acmeDocs.forEach(id -> awaitStatus(acmeKey, id, "indexed"));
        globexDocs.forEach(id -> awaitStatus(globexKey, id, "indexed"));

        JsonNode acmeAnswer = ask(acmeKey, "How long do I have to get a refund?");
        JsonNode globexAnswer = ask(globexKey, "How long do I have to get a refund?");

        assertThat(acmeAnswer.get("answer").asText()).contains("14 days").doesNotContain("90 days", "Globex");
        assertThat(globexAnswer.get("answer").asText()).contains("90 days").doesNotContain("14 days", "Acme");
        assertThat(citedDocuments(acmeAnswer)).isNotEmpty().isSubsetOf(acmeDocs);
        assertThat(citedDocuments(globexAnswer)).isNotEmpty().isSubsetOf(globexDocs);
        assertThat(acmeAnswer.get("model").asText()).isEqualTo("extractive");
        assertThat(acmeAnswer.get("provider").asText()).isEqualTo("extractive");
        assertThat(acmeAnswer.get("route").get("attempts").get(0).get("outcome").asText()).isEqualTo("ok");
        assertThat(acmeAnswer.get("route").get("criticality").asText()).isEqualTo("standard");
    }

    @Test
    void anotherTenantsDocumentIdIsNotFound(CapturedOutput output) {
        String a = newTenant("owner");
        String b = newTenant("other");
        String keyA = newKey(a);
        String keyB = newKey(b);
        String documentId = addText(keyA, "Private", "Only the owner may read this.");
        awaitStatus(keyA, documentId, "indexed");

        HubClient.Response read = hub.get("/api/v1/documents/" + documentId, keyB);
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.code()).isEqualTo("not_found");
        HubClient.Response delete = hub.delete("/api/v1/documents/" + documentId, keyB);
        assertThat(delete.status()).isEqualTo(404);
        assertThat(delete.code()).isEqualTo("not_found");
        assertThat(hub.get("/api/v1/documents/doc_000000000000ffffffffffffffff", keyB).code()).isEqualTo("not_found");
        awaitStatus(keyA, documentId, "indexed");
        // a 404 is an answer, not a failure: no error log, no stack trace
        assertThat(output.getAll()).doesNotContain("DocumentNotFoundException", "Failed delivery");
    }

    @Test
    void theSameContentForTwoTenantsIsTwoDocumentsAndTwiceForOneIsADuplicate() {
        String a = newTenant("dup-a");
        String b = newTenant("dup-b");
        String keyA = newKey(a);
        String keyB = newKey(b);
        String text = "Shared words that two tenants both happen to upload.";
        String first = addText(keyA, "One", text);
        String other = addText(keyB, "One", text);
        assertThat(other).isNotEqualTo(first);
        assertThat(awaitStatus(keyA, first, "indexed").field("chunks")).isEqualTo("1");
        assertThat(awaitStatus(keyB, other, "indexed").field("chunks")).isEqualTo("1");

        HubClient.Response again = hub.postJson("/api/v1/documents", keyA,
                "{\"title\":\"Again\",\"text\":" + quote(text + "\r\n\r\n") + "}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.field("status")).isEqualTo("duplicate");
        assertThat(again.field("documentId")).isEqualTo(first);
    }

    @Test
    void aDeletedDocumentLeavesTheAnswers() {
        String tenant = newTenant("delete");
        String key = newKey(tenant);
        String documentId = addText(key, "Parrots", "The parrot in the lobby is called Polly and speaks Dutch.");
        awaitStatus(key, documentId, "indexed");
        assertThat(citedDocuments(ask(key, "What is the parrot called?"))).contains(documentId);

        assertThat(hub.delete("/api/v1/documents/" + documentId, key).status()).isEqualTo(204);
        assertThat(hub.get("/api/v1/documents/" + documentId, key).field("status")).isEqualTo("deleted");
        assertThat(citedDocuments(ask(key, "What is the parrot called?"))).doesNotContain(documentId);
        assertThat(hub.delete("/api/v1/documents/" + documentId, key).status()).isEqualTo(404);
        // deleting released the content: the same text can be added again as a new document
        assertThat(addText(key, "Parrots", "The parrot in the lobby is called Polly and speaks Dutch."))
                .isNotEqualTo(documentId);
    }

    /**
     * A crash can cut a deletion short after the registry says {@code deleted} and before the chunks are gone;
     * the document must stop answering at once even though the store still returns it and it was seen live by
     * the query before (retrieval remembers live documents per corpus version).
     */
    @Test
    void aDocumentDeletedInTheRegistryStopsAnsweringWhileItsChunksAreStillStored() {
        String tenant = newTenant("half-deleted");
        String key = newKey(tenant);
        String kept = addText(key, "Kept", "The lobby parrot eats sunflower seeds every morning.");
        String dropped = addText(key, "Dropped", "The lobby parrot is called Polly and speaks Dutch.");
        awaitStatus(key, kept, "indexed");
        awaitStatus(key, dropped, "indexed");
        assertThat(citedDocuments(ask(key, "What is the lobby parrot called?"))).contains(kept, dropped);

        assertThat(registry.markDeleted(TenantId.of(tenant), dropped)).isTrue(); // the chunks stay in the store

        assertThat(citedDocuments(ask(key, "What is the name of the lobby parrot?")))
                .contains(kept).doesNotContain(dropped);
    }

    private JsonNode ask(String key, String question) {
        HubClient.Response response = hub.postJson("/api/v1/query", key, "{\"question\":" + quote(question) + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private static Set<String> citedDocuments(JsonNode answer) {
        Set<String> ids = new HashSet<>();
        answer.get("citations").forEach(c -> ids.add(c.get("documentId").asText()));
        return ids;
    }
}
