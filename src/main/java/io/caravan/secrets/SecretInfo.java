package io.caravan.secrets;

import java.time.Instant;

/** What the API may show of a secret: its name and when it changed, never its value. */
public record SecretInfo(String name, Instant updatedAt) {
}
