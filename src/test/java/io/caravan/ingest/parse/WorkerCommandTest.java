package io.caravan.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerCommandTest {

    @Test
    void fromAClassPathTheChildReusesIt() {
        List<String> command = WorkerCommand.forThisJvm(ParseSettings.defaults());
        assertThat(command).contains("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"));
        assertThat(command.get(command.size() - 1)).isEqualTo(ParseWorker.class.getName());
        assertThat(command.get(0)).endsWith("/bin/java");
    }

    @Test
    void insideABootJarTheChildUsesItsLauncher(@TempDir Path dir) throws Exception {
        Path jar = Files.createFile(dir.resolve("my caravan.jar"));
        String nested = "jar:nested:" + jar.toUri().getRawPath()
                + "/!BOOT-INF/classes/!/io/caravan/ingest/parse/ParseWorker.class";
        assertThat(WorkerCommand.bootJar(nested, "ignored.jar")).contains(jar.toAbsolutePath());
    }

    @Test
    void anUnreadableNestedUrlFallsBackToTheClassPathJar() {
        String nested = "jar:nested:/nowhere/x.jar/!BOOT-INF/classes/!/io/caravan/ingest/parse/ParseWorker.class";
        assertThat(WorkerCommand.bootJar(nested, "caravan.jar")).contains(Path.of("caravan.jar").toAbsolutePath());
    }

    @Test
    void aPlainClassIsNotInABootJar() {
        String plain = "file:/work/target/classes/io/caravan/ingest/parse/ParseWorker.class";
        assertThat(WorkerCommand.bootJar(plain, "x")).isEmpty();
    }
}
