package io.caravan.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The edge's dot-segment check scans the path; it must decide exactly as splitting at '/' and '\' did. */
class DotSegmentTest {

    @Test
    void findsDotSegmentsWhereverTheyAre() {
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/webhooks/../admin/v1/tenants")).isTrue();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/api/v1/./query")).isTrue();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/api\\..\\admin")).isTrue();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("..")).isTrue();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/api/v1/documents/.")).isTrue();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/api/v1/query")).isFalse();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/api/v1/documents/.../x")).isFalse();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/api/v1/documents/.env")).isFalse();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("/api/v1/documents/a..")).isFalse();
        assertThat(EdgeAuthenticationFilter.hasDotSegment("")).isFalse();
    }

    @Test
    void decidesLikeSplittingTheSegmentsOnRandomPaths() {
        Random random = new Random(11);
        char[] alphabet = {'/', '\\', '.', '.', 'a', ';', '%'};
        for (int n = 0; n < 50_000; n++) {
            StringBuilder path = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                path.append(alphabet[random.nextInt(alphabet.length)]);
            }
            assertThat(EdgeAuthenticationFilter.hasDotSegment(path.toString())).as(path.toString())
                    .isEqualTo(bySplitting(path.toString()));
        }
    }

    private static boolean bySplitting(String path) {
        for (String segment : path.split("[/\\\\]", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
