package io.caravan.llm;

/**
 * Told about every network provider call that answered (not the extractive answerer, which reads no provider
 * tokens). The usage ledger implements this; any number of listener beans may exist, none is required.
 */
public interface ChatUsageListener {

    void chatCompleted(ChatUsage usage);
}
