package io.caravan.tenancy;

/** A tenant with that id exists already. */
public class TenantAlreadyExistsException extends RuntimeException {

    public TenantAlreadyExistsException(TenantId id) {
        super("tenant '" + id + "' already exists");
    }
}
