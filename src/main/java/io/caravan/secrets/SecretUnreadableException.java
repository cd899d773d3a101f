package io.caravan.secrets;

/** A stored secret failed authentication (wrong key, or a ciphertext moved to another tenant or name). */
public class SecretUnreadableException extends RuntimeException {

    public SecretUnreadableException(String where) {
        super("secret " + where + " cannot be decrypted with this hub's key");
    }
}
