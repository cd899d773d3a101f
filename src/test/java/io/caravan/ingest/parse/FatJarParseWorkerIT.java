package io.caravan.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The worker launch from the packaged Spring Boot jar, which unit tests cannot reach: runs {@link FatJarProbe}
 * with the jar's PropertiesLauncher ({@code loader.path} adds the test classes), as {@code mvn verify} does
 * after {@code package}.
 */
class FatJarParseWorkerIT {

    @Test
    void workersStartFromTheFatJar() throws IOException, InterruptedException {
        Path jar = Path.of("target", "caravan.jar").toAbsolutePath();
        assumeTrue(Files.isRegularFile(jar), "package the jar first");
        Path output = Files.createTempFile("fat-jar-probe", ".log");
        Process probe = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dloader.path=" + Path.of("target", "test-classes").toAbsolutePath(),
                "-Dloader.main=" + FatJarProbe.class.getName(),
                "-cp", jar.toString(), WorkerCommand.BOOT_LAUNCHER))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            assertThat(probe.waitFor(120, TimeUnit.SECONDS)).as("the probe finished").isTrue();
        } finally {
            probe.destroyForcibly();
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        assertThat(log).contains("parser class: jar:nested:", "-cp " + jar + " " + WorkerCommand.BOOT_LAUNCHER,
                "pdf: Parsed inside the fat jar", "bomb: too_large", "docx: Still parsing after the bomb");
        assertThat(probe.exitValue()).isZero();
    }
}
