package io.caravan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** {@code java -jar caravan.jar usage ...} runs the command, not the hub: no web server, no Camel. */
@ExtendWith(OutputCaptureExtension.class)
class CommandDispatchTest {

    @TempDir
    Path dataDir;

    @Test
    void usageIsACommandAndAnythingElseStartsTheHub() {
        assertThat(CaravanApplication.isCommand(new String[] {"usage", "--tenant", "acme"})).isTrue();
        assertThat(CaravanApplication.isCommand(new String[] {})).isFalse();
        assertThat(CaravanApplication.isCommand(new String[] {"--server.port=9090"})).isFalse();
    }

    @Test
    void theUsageCommandRunsOnTheDataDirsDatabaseWithoutAServer(CapturedOutput output) throws IOException {
        int exit;
        // a web server would fail on this occupied port; the command must not start one
        try (ServerSocket occupied = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            exit = CaravanApplication.runCommand(new String[] {"usage", "--tenant", "acme", "--last", "7d", "--by",
                    "model", "--caravan.data-dir=" + dataDir, "--server.port=" + occupied.getLocalPort()});
        }

        assertThat(exit).as(output.getAll()).isZero();
        assertThat(output.getOut()).startsWith("Usage of tenant acme from ").contains("(no usage in this period)");
        assertThat(output.getAll()).doesNotContain("Tomcat").doesNotContain("Camel");
        assertThat(dataDir.resolve("db/caravan.mv.db")).as("the database of the given data dir").exists();
    }

    @Test
    void badArgumentsExitWith2(CapturedOutput output) {
        assertThat(CaravanApplication.runCommand(new String[] {"usage", "--last", "7d",
                "--caravan.data-dir=" + dataDir})).isEqualTo(2);
        assertThat(output.getErr()).contains("Missing required option: '--tenant=ID'");
        assertThat(dataDir).as("bad arguments never open the database").isEmptyDirectory();
    }
}
