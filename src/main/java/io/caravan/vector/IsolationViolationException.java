package io.caravan.vector;

import io.caravan.tenancy.TenantId;

/** A store returned a chunk stamped with another tenant: refused, never shown. */
public class IsolationViolationException extends IllegalStateException {

    public IsolationViolationException(TenantId expected, String found) {
        super("vector store returned a chunk of tenant '" + found + "' to tenant '" + expected + "'");
    }
}
