package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README as a new user follows it: starts the hub with the README's run command (the packaged jar, in a
 * separate process), runs the walkthrough's curl commands against it, stops and restarts the hub, and runs
 * the after-restart commands. Runs in the integration-test phase, after the jar is built.
 */
class ReadmeIT {

    /** The project directory, as Maven gives it to the test JVM (not the working directory). */
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    @TempDir
    Path work;

    private Process hub;

    @AfterEach
    void stop() throws InterruptedException {
        if (hub != null && hub.isAlive()) {
            hub.destroy();
            hub.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theReadmeWalkthroughWorksAndDataSurvivesARestart() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(readme).contains("`./scripts/run.sh`", "`./scripts/test.sh`");
        String walkthrough = block(readme, "walkthrough");
        String afterRestart = block(readme, "walkthrough-after-restart");
        Path dataDir = work.resolve("data");
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Path state = work.resolve("state.env");

        hub = start(dataDir, port, "first");
        run(walkthrough + "\necho \"GLOBEX=$GLOBEX\" > '" + state + "'\n", dataDir, base, "walkthrough");

        Path token = dataDir.resolve("admin-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        String adminToken = Files.readString(token).trim();

        hub.destroy();
        assertThat(hub.waitFor(60, TimeUnit.SECONDS)).as("hub stops on SIGTERM").isTrue();
        hub = start(dataDir, port, "second");
        run("source '" + state + "'\n" + afterRestart, dataDir, base, "after-restart");

        String logs = Files.readString(work.resolve("hub-first.log")) + Files.readString(work.resolve("hub-second.log"));
        assertThat(logs).contains("tenant_id=acme").contains("tenant_id=globex").doesNotContain(adminToken);
        assertThat(logs).doesNotContainPattern("cvn_[A-Za-z0-9_-]{20,}");
    }

    private Process start(Path dataDir, int port, String name) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/run.sh")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("hub-" + name + ".log").toFile());
        builder.environment().remove("CARAVAN_ADMIN_TOKEN");
        builder.environment().put("CARAVAN_DATA_DIR", dataDir.toString());
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(process.isAlive()).as("hub process is running (see hub-" + name + ".log)").isTrue();
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        return process;
    }

    private void run(String script, Path dataDir, String base, String name) throws Exception {
        Path file = work.resolve(name + ".sh");
        Files.writeString(file, "set -euo pipefail\n" + script);
        ProcessBuilder builder = new ProcessBuilder("bash", file.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".out").toFile());
        builder.environment().put("HUB", base);
        builder.environment().put("CARAVAN_DATA_DIR", dataDir.toString());
        Process process = builder.start();
        boolean finished = process.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String output = Files.readString(work.resolve(name + ".out"));
        assertThat(finished).as("%s finished in time:%n%s", name, output).isTrue();
        assertThat(process.exitValue()).as("%s exit code:%n%s", name, output).isZero();
    }

    private static String block(String readme, String marker) {
        Matcher matcher = Pattern.compile("<!-- " + Pattern.quote(marker) + ":start -->\\s*```bash\\n(.*?)```\\s*<!-- "
                + Pattern.quote(marker) + ":end -->", Pattern.DOTALL).matcher(readme);
        assertThat(matcher.find()).as("README block " + marker).isTrue();
        return matcher.group(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
