package io.caravan;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.caravan.tenancy.TenantHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tenancy and isolation rules of DESIGN.md, enforced on the compiled code and the route files. */
class ArchitectureTest {

    /** The project directory, as Maven gives it to the test JVM (not the working directory). */
    private static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.caravan");
    }

    @Test
    void onlyTheAccessorReadsTheTenantHeader() {
        noClasses().that().doNotHaveFullyQualifiedName(TenantHeader.class.getName())
                .should().accessField(TenantHeader.class, "NAME")
                .because("the tenant is read from an exchange only through TenantHeader.require")
                .check(main);
    }

    @Test
    void onlyTheVectorPackageTouchesVectorStoreImplementations() {
        noClasses().that().resideOutsideOfPackage("io.caravan.vector..")
                .should().dependOnClassesThat().implement(io.caravan.vector.TenantVectorStore.class)
                .because("the rest of the hub reaches vectors only through the tenant-scoped port")
                .check(main);
        noClasses().that().resideOutsideOfPackage("io.caravan.vector..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.langchain4j.store..", "io.github.amikos..")
                .check(main);
    }

    @Test
    void theHeaderNameIsWrittenOnlyInTheAccessor() throws IOException {
        List<Path> offenders;
        try (Stream<Path> files = Stream.concat(Files.walk(BASEDIR.resolve("src/main")), Files.walk(BASEDIR.resolve("routes")))) {
            offenders = files.filter(Files::isRegularFile)
                    .filter(file -> !file.endsWith("TenantHeader.java"))
                    .filter(ArchitectureTest::mentionsHeader)
                    .toList();
        }
        assertThat(offenders).as("files naming the tenant header").isEmpty();
    }

    @Test
    void tenantsAreNeverMadeUpDeepInsideTheHub() {
        // TenantId instances come from: the HTTP edge (API keys), the admin path, stored rows and the header
        noClasses().that().resideInAnyPackage("io.caravan.llm..", "io.caravan.query..", "io.caravan.vector..",
                        "io.caravan.embedding..", "io.caravan.observability..", "io.caravan.secrets..")
                .should().callMethod(io.caravan.tenancy.TenantId.class, "of", String.class)
                .check(main);
    }

    private static boolean mentionsHeader(Path file) {
        try {
            return Files.readString(file).contains("CaravanTenantId");
        } catch (IOException e) {
            return false; // binary resources
        }
    }
}
