package io.caravan.sources.gmail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A tenant's Gmail OAuth client and grant. Stored as the tenant secret named by the source's
 * {@code credentialsSecret}, as JSON: {@code {"clientId":"...","clientSecret":"...","refreshToken":"..."}}.
 */
public record GmailCredentials(String clientId, String clientSecret, String refreshToken) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public GmailCredentials {
        require(clientId, "clientId");
        require(clientSecret, "clientSecret");
        require(refreshToken, "refreshToken");
    }

    /** Reads the secret's JSON; the message names the secret and the problem, never the value. */
    public static GmailCredentials parse(String secretName, String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("secret '" + secretName + "' is not JSON; expected "
                    + "{\"clientId\",\"clientSecret\",\"refreshToken\"}");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("secret '" + secretName + "' is not a JSON object; expected "
                    + "{\"clientId\",\"clientSecret\",\"refreshToken\"}");
        }
        try {
            return new GmailCredentials(text(node, "clientId"), text(node, "clientSecret"), text(node, "refreshToken"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret '" + secretName + "': " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + field + "' is missing or blank");
        }
    }

    /** Never prints the secret parts. */
    @Override
    public String toString() {
        return "GmailCredentials[clientId=" + clientId + "]";
    }
}
