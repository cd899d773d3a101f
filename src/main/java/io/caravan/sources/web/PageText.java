package io.caravan.sources.web;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * An HTML page as clean text: scripts, styles and page chrome (nav, header, footer, aside, forms) dropped, block
 * elements separated by blank lines so the chunker still sees paragraphs; plus its title and absolute links.
 */
record PageText(String title, String text, List<String> links) {

    private static final String BOILERPLATE = "script, style, noscript, template, iframe, svg, canvas, nav, header, "
            + "footer, aside, form, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true]";
    private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "main", "h1", "h2", "h3",
            "h4", "h5", "h6", "li", "ul", "ol", "pre", "blockquote", "table", "tr", "td", "th", "dl", "dt", "dd",
            "br", "hr", "figcaption");

    static PageText parse(String html, String baseUri) {
        Document document = Jsoup.parse(html, baseUri);
        Set<String> links = new LinkedHashSet<>();
        for (Element anchor : document.select("a[href]")) {
            String href = anchor.absUrl("href");
            if (!href.isEmpty()) {
                links.add(href);
            }
        }
        String title = document.title().strip();
        document.select(BOILERPLATE).remove();
        StringBuilder text = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode textNode) {
                    text.append(textNode.text());
                } else if (node instanceof Element element && BLOCKS.contains(element.normalName())) {
                    text.append("\n\n");
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element && BLOCKS.contains(element.normalName())) {
                    text.append("\n\n");
                }
            }
        }, document.body());
        return new PageText(title, tidy(text.toString()), List.copyOf(links));
    }

    /** Collapses runs of spaces within lines and of blank lines between paragraphs. */
    private static String tidy(String text) {
        StringBuilder out = new StringBuilder();
        for (String paragraph : text.split("\\n\\s*\\n")) {
            String line = paragraph.replaceAll("[\\s\\u00a0]+", " ").strip();
            if (!line.isEmpty()) {
                if (!out.isEmpty()) {
                    out.append("\n\n");
                }
                out.append(line);
            }
        }
        return out.toString();
    }
}
