package io.caravan.sources.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageTextTest {

    @Test
    void keepsTheContentAndItsParagraphsDropsScriptsAndChrome() {
        PageText page = PageText.parse("""
                <html><head><title> Refunds </title><style>p{color:red}</style></head><body>
                <header>Acme logo</header><nav><a href="/menu">Menu</a></nav>
                <main><h1>Refund policy</h1><p>Refunds take <b>five</b> days.</p>
                <p>Ask <a href="contact#form">support</a>.</p><script>alert('x')</script></main>
                <aside>Related links</aside><footer>(c) Acme</footer></body></html>""", "https://acme.example/help/");

        assertThat(page.title()).isEqualTo("Refunds");
        assertThat(page.text()).isEqualTo("Refund policy\n\nRefunds take five days.\n\nAsk support.");
        assertThat(page.links()).containsExactly("https://acme.example/menu", "https://acme.example/help/contact#form");
    }

    @Test
    void normalisesUrlsForTheFrontier() {
        assertThat(WebCrawler.normalise("HTTP://Acme.Example/a#top")).hasValueSatisfying(
                uri -> assertThat(uri.toString()).isEqualTo("http://acme.example/a"));
        assertThat(WebCrawler.normalise("https://acme.example")).hasValueSatisfying(
                uri -> assertThat(uri.toString()).isEqualTo("https://acme.example/"));
        assertThat(WebCrawler.normalise("mailto:someone@acme.example")).isEmpty();
        assertThat(WebCrawler.normalise("javascript:void(0)")).isEmpty();
    }
}
