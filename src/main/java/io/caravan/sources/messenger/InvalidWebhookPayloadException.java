package io.caravan.sources.messenger;

/** A correctly signed webhook whose body is not the Messenger JSON it should be (answered 400). */
public class InvalidWebhookPayloadException extends RuntimeException {

    public InvalidWebhookPayloadException(String message) {
        super(message);
    }
}
