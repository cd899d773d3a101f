package io.caravan.ingest.parse;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line of a parse worker: the running JVM's own {@code java} and classes, with a small heap.
 * <ul>
 * <li>From the Spring Boot fat jar the classes are nested in {@code BOOT-INF/}, which a plain {@code -cp}
 * cannot read: the child runs the jar's {@code PropertiesLauncher} with {@code -Dloader.main} set to the
 * worker, which builds the same nested class path as the hub's own launcher.</li>
 * <li>Anywhere else (tests, the IDE, {@code spring-boot:run}, an extracted jar) the hub runs from an
 * ordinary class path and the child reuses {@code java.class.path} as it is.</li>
 * </ul>
 */
final class WorkerCommand {

    static final String BOOT_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";
    private static final String NESTED = "jar:nested:";
    private static final String BOOT_CLASSES = "/!BOOT-INF/classes/";

    private WorkerCommand() {
    }

    static List<String> forThisJvm(ParseSettings settings) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java,
                "-Xmx" + settings.workerHeap().toMegabytes() + "m",
                "-XX:MaxMetaspaceSize=128m",
                "-XX:+ExitOnOutOfMemoryError",
                // one GC thread: small heap, and the hub shares few cores with its children
                "-XX:+UseSerialGC",
                // the JVM's own warnings would otherwise land on stdout, in the middle of the protocol
                "-XX:+DisplayVMOutputToStderr",
                "-Dfile.encoding=UTF-8"));
        Optional<Path> bootJar = bootJar(
                String.valueOf(ParseWorker.class.getResource(ParseWorker.class.getSimpleName() + ".class")),
                System.getProperty("java.class.path"));
        if (bootJar.isPresent()) {
            command.addAll(List.of("-Dloader.main=" + ParseWorker.class.getName(),
                    "-cp", bootJar.get().toString(), BOOT_LAUNCHER));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ParseWorker.class.getName()));
        }
        return List.copyOf(command);
    }

    /** The fat jar the hub runs from, if it does: its classes then load from {@code jar:nested:} URLs. */
    static Optional<Path> bootJar(String workerClassUrl, String classPath) {
        if (!workerClassUrl.startsWith(NESTED)) {
            return Optional.empty();
        }
        int end = workerClassUrl.indexOf(BOOT_CLASSES);
        if (end > 0) {
            try {
                Path jar = Path.of(URI.create("file:" + workerClassUrl.substring(NESTED.length(), end)));
                if (Files.isRegularFile(jar)) {
                    return Optional.of(jar.toAbsolutePath());
                }
            } catch (IllegalArgumentException e) {
                // not a path we can read back; the class path below names the same jar
            }
        }
        // java -jar caravan.jar: the class path is the jar itself
        return Optional.of(Path.of(classPath).toAbsolutePath());
    }
}
