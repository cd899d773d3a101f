package io.caravan.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.caravan.observability.TenantMetrics;
import io.caravan.tenancy.TenantId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;

/** The command line's own context: the hub's database in the given data dir, and nothing of the running hub. */
class UsageCommandLineTest {

    @TempDir
    Path dataDir;

    @Test
    void readsTheLedgerOfTheGivenDataDir() {
        String dataDirArg = "--caravan.data-dir=" + dataDir;
        try (ConfigurableApplicationContext context = UsageCommandLine.start(List.of(dataDirArg))) {
            UsageLedger ledger = new UsageLedger(context.getBean(JdbcClient.class),
                    context.getBean(io.caravan.tenancy.TenantTransactions.class),
                    new TenantMetrics(new SimpleMeterRegistry()));
            ledger.record(UsageEvent.chat(TenantId.of("acme"), Instant.now(), "openai", "gpt-4o-mini", 321, 12, "q"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = UsageCommandLine.run(new String[] {"--tenant", "acme", dataDirArg, "--by", "model"},
                new PrintStream(out, true), new PrintStream(err, true));

        assertThat(exit).as(err.toString(Charset.defaultCharset())).isZero();
        assertThat(out.toString(Charset.defaultCharset()).lines()).contains(
                "model        provider  kind  requests  prompt  completion  embedding  total",
                "gpt-4o-mini  openai    chat         1     321          12          0    333");
    }

    @Test
    void theContextHasNoWebServerNoCamelAndNoneOfTheHubsStartUpWork() {
        try (ConfigurableApplicationContext context = UsageCommandLine.start(List.of("--caravan.data-dir=" + dataDir))) {
            assertThat(context).isNotInstanceOf(WebServerApplicationContext.class);
            assertThat(context.getBeanNamesForType(CamelContext.class)).isEmpty();
            assertThat(context.getBeanNamesForType(TokenBudgets.class)).as("releases reservations on start").isEmpty();
            assertThat(context.getBeanNamesForType(io.caravan.ingest.IndexingPipeline.class)).isEmpty();
            assertThat(context.getBean(UsageReports.class)).isNotNull();
        }
    }

    @Test
    void dottedOptionsAreHubSettings() {
        assertThat(UsageCommandLine.isSpringProperty("--caravan.data-dir=/tmp/x")).isTrue();
        assertThat(UsageCommandLine.isSpringProperty("--spring.profiles.active=production")).isTrue();
        assertThat(UsageCommandLine.isSpringProperty("--tenant")).isFalse();
        assertThat(UsageCommandLine.isSpringProperty("--tenant=acme.corp")).isFalse();
        assertThat(UsageCommandLine.isSpringProperty("acme")).isFalse();
    }
}
