package io.caravan.usage;

import io.caravan.llm.ChatUsage;
import io.caravan.llm.ChatUsageListener;
import org.springframework.stereotype.Component;

/** Writes every answered remote LLM call into the usage ledger, with the provider-reported tokens. */
@Component
class ChatUsageRecorder implements ChatUsageListener {

    private final UsageLedger ledger;

    ChatUsageRecorder(UsageLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void chatCompleted(ChatUsage usage) {
        ledger.record(UsageEvent.chat(usage.tenant(), usage.at(), usage.provider(), usage.model(),
                usage.promptTokens(), usage.completionTokens(), usage.requestId()));
    }
}
