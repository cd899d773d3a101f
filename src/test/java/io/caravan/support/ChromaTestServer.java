package io.caravan.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.util.FileSystemUtils;

/**
 * The real Chroma 1.x server the Chroma tests run against: {@code CARAVAN_TEST_CHROMA_URL} when the test command
 * started one (scripts/services.sh), otherwise one started here through {@code scripts/services.sh up chroma} on a
 * free port with a temporary data dir, shared by every test of the JVM and stopped when the JVM exits.
 */
public final class ChromaTestServer {

    private static String url;

    private ChromaTestServer() {
    }

    public static synchronized String url() {
        if (url == null) {
            String given = System.getenv("CARAVAN_TEST_CHROMA_URL");
            url = given != null && !given.isBlank() ? given : start();
        }
        return url;
    }

    private static String start() {
        int port = freePort();
        Path data;
        try {
            data = Files.createTempDirectory("caravan-chroma-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.of("CARAVAN_CHROMA_PORT", Integer.toString(port),
                "CARAVAN_CHROMA_DATA", data.toString());
        services("up", env);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            services("down", env);
            FileSystemUtils.deleteRecursively(data.toFile());
        }, "chroma-test-server-stop"));
        return "http://127.0.0.1:" + port;
    }

    private static void services(String action, Map<String, String> env) {
        ProcessBuilder command = new ProcessBuilder("bash", "scripts/services.sh", action, "chroma")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
        command.environment().putAll(env);
        try {
            Process process = command.start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("scripts/services.sh " + action + " chroma failed (" + env + ")");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A port nobody listens on right now (also what the "Chroma is down" tests point at). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
