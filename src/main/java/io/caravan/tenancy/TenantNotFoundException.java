package io.caravan.tenancy;

/** The tenant named by an admin call or a webhook path does not exist, or was erased under a request. */
public class TenantNotFoundException extends RuntimeException {

    public TenantNotFoundException(String id) {
        super("tenant '" + id + "' does not exist");
    }

    /** The tenant was erased while a write for it was in flight: the write was refused. */
    public TenantNotFoundException(String id, Throwable refusedWrite) {
        super("tenant '" + id + "' does not exist (it was erased while this request ran)", refusedWrite);
    }
}
