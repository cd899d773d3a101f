package io.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.core.env.Environment;

/**
 * A tenant's vector storage as the configured store keeps it, looked at from outside the hub (not through its
 * store port): the embedded store's directory {@code <data dir>/vectors/<tenant>}, or the tenant's database
 * {@code caravan-<tenant>} on the Chroma server (HTTP API v2).
 */
public final class VectorStorage {

    private final Environment environment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public VectorStorage(Environment environment) {
        this.environment = environment;
    }

    /** Whether anything of the tenant's vector storage exists. */
    public boolean exists(String tenant) {
        if ("chroma".equals(environment.getProperty("caravan.vector.store"))) {
            String url = environment.getRequiredProperty("caravan.chroma.url").replaceAll("/$", "");
            String chromaTenant = environment.getProperty("caravan.chroma.tenant", "caravan");
            int status = status(url + "/api/v2/tenants/" + chromaTenant + "/databases/caravan-" + tenant);
            if (status != 200 && status != 404) {
                throw new IllegalStateException("Chroma answered " + status + " for the database of " + tenant);
            }
            return status == 200;
        }
        Path directory = Path.of(environment.getRequiredProperty("caravan.data-dir")).resolve("vectors").resolve(tenant);
        return Files.exists(directory);
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
