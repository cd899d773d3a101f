package io.caravan.ingest.parse;

import io.caravan.ingest.IngestFailure;

/**
 * Run inside the packaged jar by {@link FatJarParseWorkerIT}: the parser's classes then come from
 * {@code BOOT-INF/}, so its workers must be launched through the jar's own launcher.
 */
public final class FatJarProbe {

    private FatJarProbe() {
    }

    public static void main(String[] args) {
        System.out.println("parser class: " + DocumentParser.class.getResource("DocumentParser.class"));
        System.out.println("worker command: " + String.join(" ", WorkerCommand.forThisJvm(ParseSettings.defaults())));
        try (DocumentParser parser = new DocumentParser(ParseSettings.defaults())) {
            ParsedText pdf = parser.parse(HostileCorpus.handWrittenPdf("Parsed inside the fat jar"), "probe.pdf");
            System.out.println("pdf: " + pdf.text().strip());
            try {
                parser.parse(HostileCorpus.docxBomb(80L << 20), "bomb.docx");
                System.out.println("bomb: parsed?!");
            } catch (IngestFailure failure) {
                System.out.println("bomb: " + failure.reason());
            }
            ParsedText docx = parser.parse(HostileCorpus.docx("Still parsing after the bomb"), "after.docx");
            System.out.println("docx: " + docx.text().strip());
        }
    }
}
