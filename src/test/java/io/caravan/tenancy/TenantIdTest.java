package io.caravan.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"ab", "acme", "acme-corp", "a1", "a-", "tenant-42", "z0-9-x",
            "a23456789012345678901234567890123456789" /* 39 */, "a234567890123456789012345678901234567890" /* 40 */})
    void acceptsValidIds(String value) {
        TenantId id = TenantId.of(value);
        assertThat(id.value()).isEqualTo(value);
        assertThat(id.toString()).isEqualTo(value);
        assertThat(TenantId.isValid(value)).isTrue();
        assertThat(new TenantId(value)).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "A", "Acme", "acmE", "1acme", "-acme", "acme_corp", "acme.corp", "acme corp",
            " acme", "acme ", "acme\n", "ac/me", "../etc", "acmé", "a2345678901234567890123456789012345678901" /* 41 */,
            "tenant-0123456789012345678901234567890123456789"})
    void rejectsInvalidIds(String value) {
        assertThat(TenantId.isValid(value)).isFalse();
        assertThatThrownBy(() -> TenantId.of(value))
                .isInstanceOf(InvalidTenantIdException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("^[a-z][a-z0-9-]{1,39}$");
        assertThatThrownBy(() -> new TenantId(value)).isInstanceOf(InvalidTenantIdException.class);
    }

    @Test
    void lengthBoundaryIsFortyCharacters() {
        assertThat(TenantId.isValid("a" + "b".repeat(39))).isTrue();
        assertThat(TenantId.isValid("a" + "b".repeat(40))).isFalse();
    }

    @Test
    void rejectsNull() {
        assertThat(TenantId.isValid(null)).isFalse();
        assertThatThrownBy(() -> TenantId.of(null))
                .isInstanceOf(InvalidTenantIdException.class)
                .hasMessageContaining("'null'");
    }

    @Test
    void abbreviatesHugeInvalidValuesInTheMessage() {
        String huge = "X".repeat(10_000);
        assertThatThrownBy(() -> TenantId.of(huge))
                .isInstanceOf(InvalidTenantIdException.class)
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }
}
