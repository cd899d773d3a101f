package io.caravan.tenancy;

/** The tenant named by an admin call or a webhook path does not exist. */
public class TenantNotFoundException extends RuntimeException {

    public TenantNotFoundException(String id) {
        super("tenant '" + id + "' does not exist");
    }
}
