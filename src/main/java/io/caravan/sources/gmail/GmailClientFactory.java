package io.caravan.sources.gmail;

import com.google.api.client.auth.oauth2.BearerToken;
import com.google.api.client.auth.oauth2.ClientParametersAuthentication;
import com.google.api.client.auth.oauth2.Credential;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.gmail.Gmail;
import java.util.Collection;
import org.apache.camel.CamelContext;
import org.apache.camel.component.google.mail.GoogleMailClientFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Builds Gmail clients for OAuth client credentials plus a refresh token, against configurable API and token
 * endpoints (Google's by default; tests point both at an emulator). Also the google-mail component's factory.
 */
@Component
public class GmailClientFactory implements GoogleMailClientFactory {

    private final String rootUrl;
    private final String tokenUrl;
    private final String applicationName;
    private final NetHttpTransport transport = new NetHttpTransport();

    public GmailClientFactory(@Value("${caravan.gmail.root-url:https://gmail.googleapis.com/}") String rootUrl,
                              @Value("${caravan.gmail.token-url:https://oauth2.googleapis.com/token}") String tokenUrl,
                              @Value("${caravan.gmail.application-name:caravan}") String applicationName) {
        this.rootUrl = rootUrl.endsWith("/") ? rootUrl : rootUrl + "/";
        this.tokenUrl = tokenUrl;
        this.applicationName = applicationName;
    }

    /** A client for one tenant's credentials; the access token is obtained (and renewed) from the refresh token. */
    public Gmail client(GmailCredentials credentials) {
        return makeClient(credentials.clientId(), credentials.clientSecret(), null, applicationName,
                credentials.refreshToken(), null);
    }

    @Override
    public Gmail makeClient(String clientId, String clientSecret, Collection<String> scopes, String applicationName,
                            String refreshToken, String accessToken) {
        if (clientId == null || clientSecret == null) {
            throw new IllegalArgumentException("clientId and clientSecret are required for a Gmail client");
        }
        Credential credential = new Credential.Builder(BearerToken.authorizationHeaderAccessMethod())
                .setTransport(transport)
                .setJsonFactory(GsonFactory.getDefaultInstance())
                .setTokenServerUrl(new GenericUrl(tokenUrl))
                .setClientAuthentication(new ClientParametersAuthentication(clientId, clientSecret))
                .build();
        credential.setRefreshToken(refreshToken);
        if (accessToken != null && !accessToken.isEmpty()) {
            credential.setAccessToken(accessToken);
        }
        return new Gmail.Builder(transport, GsonFactory.getDefaultInstance(), credential)
                .setRootUrl(rootUrl)
                .setApplicationName(applicationName == null ? this.applicationName : applicationName)
                .build();
    }

    @Override
    public Gmail makeClient(CamelContext camelContext, String serviceAccountKey, Collection<String> scopes,
                            String applicationName, String delegate) {
        throw new UnsupportedOperationException("Caravan's Gmail sources use OAuth client credentials, "
                + "not service accounts");
    }
}
