package io.caravan.observability;

/** A rag_* meter was registered without a tenant_id tag. */
public class MeterWithoutTenantException extends IllegalStateException {

    public MeterWithoutTenantException(String meterName) {
        super("meter '" + meterName + "' refused: every rag_* meter needs a tenant_id tag");
    }
}
