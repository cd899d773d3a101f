package io.caravan.tenancy;

/** A tenant id that does not match {@code ^[a-z][a-z0-9-]{1,39}$}. */
public class InvalidTenantIdException extends IllegalArgumentException {

    public InvalidTenantIdException(String value) {
        super("invalid tenant id '" + abbreviate(value) + "': it must match ^[a-z][a-z0-9-]{1,39}$");
    }

    private static String abbreviate(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() > 60 ? value.substring(0, 60) + "…" : value;
    }
}
