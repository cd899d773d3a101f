package io.caravan.sources.gmail;

import static io.caravan.sources.gmail.GmailEmulator.inlineAttachment;
import static io.caravan.sources.gmail.GmailEmulator.multipart;
import static io.caravan.sources.gmail.GmailEmulator.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.gmail.model.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MIME shapes Gmail returns (format=full), parsed from the API's own JSON. */
class MailContentTest {

    private final GmailEmulator.Mailbox box = new GmailEmulator.Mailbox("c", "s", "r");

    private Message message(String id, Map<String, Object> payload) throws IOException {
        box.add(id, "Subject " + id, payload);
        String json = new ObjectMapper().writeValueAsString(box.messages.get(id));
        return GsonFactory.getDefaultInstance().fromString(json, Message.class);
    }

    private List<GmailItem> items(Message message) throws IOException {
        return MailContent.items(message, id -> box.attachments.get(id));
    }

    private static String content(GmailItem item) {
        return new String(item.content(), StandardCharsets.UTF_8);
    }

    @Test
    void singlePartText() throws IOException {
        List<GmailItem> items = items(message("m1", text("text/plain", "Just the body, ünïcode too.")));
        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.contentType()).isEqualTo("text/plain");
            assertThat(content(item)).isEqualTo("Just the body, ünïcode too.");
            assertThat(item.uri()).isEqualTo("gmail://m1");
            assertThat(item.title()).isEqualTo("Subject m1");
            assertThat(item.messageId()).isEqualTo("m1");
        });
    }

    @Test
    void alternativePrefersPlainText() throws IOException {
        List<GmailItem> items = items(message("m2", multipart("multipart/alternative",
                text("text/html", "<p>the html one</p>"), text("text/plain", "the plain one"))));
        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.contentType()).isEqualTo("text/plain");
            assertThat(content(item)).isEqualTo("the plain one");
        });
    }

    @Test
    void htmlOnlyGoesToTheParserAsHtml() throws IOException {
        List<GmailItem> items = items(message("m3", multipart("multipart/alternative",
                multipart("multipart/related", text("text/html", "<p>only html</p>")))));
        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.contentType()).isEqualTo("text/html");
            assertThat(content(item)).isEqualTo("<p>only html</p>");
        });
    }

    @Test
    void attachmentsOfTheSameNameAreTwoDocumentsNotTwoVersions() throws IOException {
        byte[] first = "%PDF-1.4 first scan".getBytes(StandardCharsets.UTF_8);
        byte[] second = "%PDF-1.4 second scan".getBytes(StandardCharsets.UTF_8);
        List<GmailItem> items = items(message("m5", multipart("multipart/mixed", text("text/plain", "two scans"),
                inlineAttachment("scan.pdf", "application/pdf", first),
                inlineAttachment("scan.pdf", "application/pdf", second))));
        assertThat(items).extracting(GmailItem::uri)
                .containsExactly("gmail://m5", "gmail://m5/scan.pdf", "gmail://m5/scan.pdf?part=2");
        assertThat(items.get(2).content()).isEqualTo(second);
    }

    @Test
    void nestedMultipartWithAttachments() throws IOException {
        byte[] pdf = "%PDF-1.4 fake".getBytes(StandardCharsets.UTF_8);
        byte[] docx = "PK docx bytes".getBytes(StandardCharsets.UTF_8);
        List<GmailItem> items = items(message("m4", multipart("multipart/mixed",
                multipart("multipart/alternative", text("text/plain", "nested plain"), text("text/html", "<b>x</b>")),
                inlineAttachment("report.pdf", "application/pdf", pdf),
                box.storedAttachment("att-1", "meeting notes.docx", "application/octet-stream", docx),
                inlineAttachment("photo.png", "image/png", new byte[] {1, 2, 3}))));
        assertThat(items).extracting(GmailItem::uri)
                .containsExactly("gmail://m4", "gmail://m4/report.pdf", "gmail://m4/meeting%20notes.docx");
        assertThat(content(items.get(0))).isEqualTo("nested plain");
        assertThat(items.get(1).contentType()).isEqualTo(MailContent.PDF);
        assertThat(items.get(1).content()).isEqualTo(pdf);
        assertThat(items.get(2).contentType()).isEqualTo(MailContent.DOCX);
        assertThat(items.get(2).content()).isEqualTo(docx);
        assertThat(items.get(2).title()).isEqualTo("Subject m4 / meeting notes.docx");
    }

    @Test
    void plainAndHtmlSideBySideBecomeOneHtmlDocument() throws IOException {
        List<GmailItem> items = items(message("m5", multipart("multipart/mixed",
                text("text/plain", "first <part>"), text("text/html", "<p>second part</p>"))));
        assertThat(items).singleElement().satisfies(item -> {
            assertThat(item.contentType()).isEqualTo("text/html");
            assertThat(content(item)).contains("first &lt;part&gt;").contains("<p>second part</p>");
        });
    }

    @Test
    void corruptBodyIsAFailure() throws IOException {
        Message corrupt = message("m6", GmailEmulator.corrupt("text/plain"));
        assertThatThrownBy(() -> items(corrupt)).isInstanceOf(IOException.class).hasMessageContaining("base64url");
    }
}
