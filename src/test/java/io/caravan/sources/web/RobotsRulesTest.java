package io.caravan.sources.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RobotsRulesTest {

    @Test
    void ourGroupWinsOverTheWildcardGroup() {
        RobotsRules rules = RobotsRules.parse("""
                User-agent: *
                Disallow: /

                User-agent: CaravanBot
                Disallow: /private
                Allow: /private/open
                """, "CaravanBot/0.1");

        assertThat(rules.allows("/")).isTrue();
        assertThat(rules.allows("/private/x")).isFalse();
        assertThat(rules.allows("/private/open/page")).isTrue();
    }

    @Test
    void wildcardGroupAppliesToOthersWithPatterns() {
        RobotsRules rules = RobotsRules.parse("""
                # comment
                User-agent: other
                Disallow: /

                User-agent: *
                Disallow: /*.pdf$
                Disallow: /tmp # trailing comment
                Disallow:
                """, "CaravanBot/0.1");

        assertThat(rules.allows("/doc.pdf")).isFalse();
        assertThat(rules.allows("/doc.pdf?x=1")).isTrue();
        assertThat(rules.allows("/tmp/a")).isFalse();
        assertThat(rules.allows("/docs")).isTrue();
    }

    @Test
    void emptyOrMissingRulesAllowEverything() {
        assertThat(RobotsRules.parse("", "CaravanBot").allows("/any")).isTrue();
        assertThat(RobotsRules.allowAll().allows("/any")).isTrue();
        assertThat(RobotsRules.disallowAll().allows("/any")).isFalse();
    }
}
