package io.caravan.tenancy;

import java.util.regex.Pattern;

/** A validated tenant identifier. There is no default tenant: every instance comes from a resolved edge. */
public record TenantId(String value) {

    private static final Pattern VALID = Pattern.compile("^[a-z][a-z0-9-]{1,39}$");

    public TenantId {
        if (value == null || !VALID.matcher(value).matches()) {
            throw new InvalidTenantIdException(value);
        }
    }

    public static TenantId of(String value) {
        return new TenantId(value);
    }

    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
