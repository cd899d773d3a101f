package io.caravan.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.springframework.stereotype.Component;

/** The hub's data directory, created on start-up; the one place that writes files into it directly. */
@Component
public class DataDirectory {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path root;

    public DataDirectory(CaravanProperties properties) {
        this.root = properties.dataDir().toAbsolutePath().normalize();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path resolve(String relative) {
        return root.resolve(relative);
    }

    /** Reads a private file, or creates it (mode 0600) with the generated value when it does not exist. */
    public String readOrCreatePrivate(String name, java.util.function.Supplier<String> generator) {
        Path file = root.resolve(name);
        try {
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            String value = generator.get();
            Path tmp = Files.createTempFile(root, name, ".tmp");
            trySetOwnerOnly(tmp);
            Files.writeString(tmp, value);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            trySetOwnerOnly(file);
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    private static void trySetOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            // non-POSIX file system: nothing stricter is available
        }
    }
}
