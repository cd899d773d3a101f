package io.caravan.ingest.parse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.crypt.EncryptionMode;
import org.apache.poi.poifs.crypt.Encryptor;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/** The test documents, good and hostile, generated on the fly: no binary fixture is committed. */
final class HostileCorpus {

    static final String WORDML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    private HostileCorpus() {
    }

    /** A one-page PDF with one line of Helvetica, written object by object with a correct xref table. */
    static byte[] handWrittenPdf(String line) {
        String stream = "BT /F1 18 Tf 72 720 Td (" + line + ") Tj ET\n";
        List<String> objects = List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
                        + " /Resources << /Font << /F1 5 0 R >> >> >>",
                "<< /Length " + stream.length() + " >>\nstream\n" + stream + "endstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(pdf.length());
            pdf.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
        }
        int xref = pdf.length();
        pdf.append("xref\n0 ").append(objects.size() + 1).append("\n0000000000 65535 f \n");
        offsets.forEach(offset -> pdf.append(String.format("%010d 00000 n \n", offset)));
        pdf.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref).append("\n%%EOF\n");
        return pdf.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The PDF's header and first object, then garbage: no xref, no trailer, no pages. */
    static byte[] corruptPdf() {
        byte[] valid = handWrittenPdf("never seen");
        byte[] corrupt = new byte[200];
        System.arraycopy(valid, 0, corrupt, 0, 60);
        byte[] noise = noise(140, 7);
        System.arraycopy(noise, 0, corrupt, 60, noise.length);
        return corrupt;
    }

    /** A PDF that opens only with a user password (PDFBox opens owner-only protection by itself). */
    static byte[] encryptedPdf(String line) {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 18);
                content.newLineAtOffset(72, 720);
                content.showText(line);
                content.endText();
            }
            StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", "user-secret",
                    new AccessPermission());
            policy.setEncryptionKeyLength(128);
            document.protect(policy);
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] docx(String... paragraphs) {
        try (XWPFDocument document = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            for (String paragraph : paragraphs) {
                document.createParagraph().createRun().setText(paragraph);
            }
            document.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A valid DOCX that takes a child parser a while (tens of thousands of empty paragraphs to read) and holds
     * one short sentence: slow, but neither large in text nor in memory, so only a clock can stop it.
     */
    static byte[] slowDocx(String sentence) {
        String[] paragraphs = new String[40_000];
        java.util.Arrays.fill(paragraphs, "");
        paragraphs[0] = sentence;
        return docx(paragraphs);
    }

    /** A DOCX encrypted with a password, as Word writes it: an OLE2 file holding the encrypted package. */
    static byte[] encryptedDocx(String paragraph) {
        try (POIFSFileSystem fs = new POIFSFileSystem(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            Encryptor encryptor = new EncryptionInfo(EncryptionMode.standard).getEncryptor();
            encryptor.confirmPassword("secret");
            try (OutputStream encrypted = encryptor.getDataStream(fs)) {
                encrypted.write(docx(paragraph));
            }
            fs.writeFilesystem(out);
            return out.toByteArray();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A valid DOCX whose one paragraph is one run of text {@code expandedBytes} long: POI's DOCX extractors
     * hold a run in memory, so this exhausts any heap that is too small (STACK.md #16).
     */
    static byte[] docxBomb(long expandedBytes) {
        return new ZipBombs()
                .add("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                        + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package"
                        + ".relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                        + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd"
                        + ".openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>")
                .add("_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006"
                        + "/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>")
                .addExpanding("word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                                + "<w:document xmlns:w=\"" + WORDML + "\"><w:body><w:p><w:r><w:t>",
                        "All work and no play makes Jack a dull boy. ", "</w:t></w:r></w:p></w:body></w:document>",
                        expandedBytes)
                .toBytes();
    }

    /** A plain ZIP with one entry of zeros that inflates to {@code expandedBytes}. */
    static byte[] zipBomb(long expandedBytes) {
        return new ZipBombs().addExpanding("payload.bin", "", "0000000000000000", "", expandedBytes).toBytes();
    }

    /** Log lines, each different, up to about {@code size} bytes. */
    static byte[] logDump(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 200);
        for (long i = 0; out.size() < size; i++) {
            out.writeBytes(String.format("2026-11-28T02:%02d:%02d.%03dZ INFO  [ingest-%d] io.caravan.ingest.Worker"
                            + " - processed request %d in %d ms%n", (i / 60_000) % 60, (i / 1000) % 60, i % 1000,
                    i % 4, i, i % 97).getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    static byte[] noise(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
