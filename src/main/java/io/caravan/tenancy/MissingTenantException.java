package io.caravan.tenancy;

/** Thrown wherever a tenant is required and absent: the hub fails closed instead of guessing one. */
public class MissingTenantException extends RuntimeException {

    public MissingTenantException(String where) {
        super("no tenant on " + where + ": every request, exchange and store call must carry a tenant id");
    }
}
